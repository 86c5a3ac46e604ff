using static Registries.Core.Tests.Domain.DomainFixture;

namespace Registries.Core.Tests.Domain;

/// <summary>Every operation against every role: Owners and Members manage, ReadOnly lists, outsiders see nothing.</summary>
public sealed class AuthorizationTests
{
    public enum Expect
    {
        Allowed,
        PermissionDenied,
        NotFound,
    }

    public static TheoryData<string, string, Expect> Matrix()
    {
        var data = new TheoryData<string, string, Expect>();
        var manage = new[] { "add", "edit", "deactivate", "activate", "delete", "resolve" };
        var read = new[] { "list", "get", "getEnvironment" };
        foreach (var op in manage)
        {
            data.Add(op, Owner, Expect.Allowed);
            data.Add(op, Member, Expect.Allowed);
            data.Add(op, Reader, Expect.PermissionDenied);
            data.Add(op, Outsider, Expect.NotFound);
        }

        foreach (var op in read)
        {
            data.Add(op, Owner, Expect.Allowed);
            data.Add(op, Member, Expect.Allowed);
            data.Add(op, Reader, Expect.Allowed);
            data.Add(op, Outsider, Expect.NotFound);
        }

        data.Add("setMember", Owner, Expect.Allowed);
        data.Add("setMember", Member, Expect.PermissionDenied);
        data.Add("setMember", Reader, Expect.PermissionDenied);
        data.Add("setMember", Outsider, Expect.NotFound);
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Operation_ByRole_IsAllowedOrRefusedAsTheRulesSay(string operation, string actor, Expect expect)
    {
        var f = await CreateAsync();
        var active = await f.AddAsync("registry.example.com", "u", Canary);
        var inactive = await f.AddAsync("quay.io", "q", Canary);
        await f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, inactive.Id);
        var before = await SnapshotAsync(f);

        Func<Task> act = operation switch
        {
            "add" => () => f.AddAsync("other.example.com", actor: actor),
            "edit" => () => f.Service.As(actor).EditRegistryAsync(f.EnvironmentId, active.Id, Credential("x", "y")).AsTask(),
            "deactivate" => () => f.Service.As(actor).DeactivateRegistryAsync(f.EnvironmentId, active.Id).AsTask(),
            "activate" => () => f.Service.As(actor).ActivateRegistryAsync(f.EnvironmentId, inactive.Id).AsTask(),
            "delete" => () => f.Service.As(actor).DeleteRegistryAsync(f.EnvironmentId, inactive.Id).AsTask(),
            "resolve" => () => f.Service.As(actor).ResolveAsync(f.EnvironmentId, ImageReference.Parse("registry.example.com/app")).AsTask(),
            "list" => () => f.Service.As(actor).ListRegistriesAsync(f.EnvironmentId).AsTask(),
            "get" => () => f.Service.As(actor).GetRegistryAsync(f.EnvironmentId, active.Id).AsTask(),
            "getEnvironment" => () => f.Service.As(actor).GetEnvironmentAsync(f.EnvironmentId).AsTask(),
            "setMember" => () => f.Service.As(actor).SetMemberAsync(f.EnvironmentId, "newcomer", EnvironmentRole.Member).AsTask(),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };

        switch (expect)
        {
            case Expect.Allowed:
                await act();
                break;
            case Expect.PermissionDenied:
                var denied = await Assert.ThrowsAsync<PermissionDeniedException>(act);
                Assert.Equal(actor, denied.User);
                Assert.DoesNotContain(Canary, denied.Message, StringComparison.Ordinal);
                Assert.Equal(before, await SnapshotAsync(f));
                break;
            case Expect.NotFound:
                var notFound = await Assert.ThrowsAsync<EnvironmentNotFoundException>(act);
                var unknown = await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => f.Service.As(actor).GetEnvironmentAsync("1a999").AsTask());

                // An outsider learns nothing: the message is the one for an id that does not exist.
                Assert.Equal(unknown.Message.Replace("1a999", f.EnvironmentId, StringComparison.Ordinal), notFound.Message);
                Assert.Equal(before, await SnapshotAsync(f));
                break;
        }
    }

    [Fact]
    public async Task Outsider_AskingForARegistryIdThatExists_GetsTheSameErrorAsForOneThatDoesNot()
    {
        var f = await CreateAsync();
        var registry = await f.AddAsync("registry.example.com");

        var existing = await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => f.Service.As(Outsider).GetRegistryAsync(f.EnvironmentId, registry.Id).AsTask());
        var missing = await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => f.Service.As(Outsider).GetRegistryAsync(f.EnvironmentId, "1r999").AsTask());

        Assert.Equal(missing.Message, existing.Message);
    }

    [Theory]
    [InlineData("edit")]
    [InlineData("deactivate")]
    [InlineData("activate")]
    [InlineData("delete")]
    [InlineData("get")]
    public async Task OwnerOfAnotherEnvironment_UsingTheirOwnEnvironmentId_NeverReachesThisEnvironmentsRegistries(string operation)
    {
        var f = await CreateAsync();
        var active = await f.AddAsync("registry.example.com", "u", Canary);
        var inactive = await f.AddAsync("quay.io", "q", Canary);
        await f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, inactive.Id);
        var theirs = await f.Service.As(Outsider).CreateEnvironmentAsync("outsider's own");
        await f.Service.As(Outsider).AddRegistryAsync(theirs.Id, RegistryAddress.Parse("registry.example.com"), Credential("theirs", "their-password"));
        var before = await SnapshotAsync(f);
        var id = operation is "activate" or "delete" ? inactive.Id : active.Id;

        Func<Task> act = operation switch
        {
            "edit" => () => f.Service.As(Outsider).EditRegistryAsync(theirs.Id, id, Credential("x", "y")).AsTask(),
            "deactivate" => () => f.Service.As(Outsider).DeactivateRegistryAsync(theirs.Id, id).AsTask(),
            "activate" => () => f.Service.As(Outsider).ActivateRegistryAsync(theirs.Id, id).AsTask(),
            "delete" => () => f.Service.As(Outsider).DeleteRegistryAsync(theirs.Id, id).AsTask(),
            _ => () => f.Service.As(Outsider).GetRegistryAsync(theirs.Id, id).AsTask(),
        };

        var error = await Assert.ThrowsAsync<RegistryNotFoundException>(act);
        var resolution = await f.Service.As(Outsider).ResolveAsync(theirs.Id, ImageReference.Parse("registry.example.com/app"));

        Assert.Equal(theirs.Id, error.EnvironmentId);
        Assert.Equal("their-password", resolution.Password!.Reveal());
        Assert.Equal(before, await SnapshotAsync(f));
        Assert.DoesNotContain(f.EnvironmentId, (await f.Service.As(Outsider).ListRegistriesAsync(theirs.Id)).Select(e => e.Registry.EnvironmentId));
    }

    private static async Task<string> SnapshotAsync(DomainFixture f)
    {
        var environment = await f.Store.GetEnvironmentAsync(f.EnvironmentId);
        var records = await f.Store.ListRegistriesAsync(f.EnvironmentId);
        return string.Join(
            "\n",
            records.Select(r => $"{r.Registry.Id}|{r.Registry.State}|{r.Registry.Version}|{r.Registry.Username}|{r.Password?.Reveal()}")
                .Prepend(string.Join(",", environment!.Members.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={m.Value}"))));
    }
}
