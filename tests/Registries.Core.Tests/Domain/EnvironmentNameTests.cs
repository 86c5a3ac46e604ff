using static Registries.Core.Tests.Domain.DomainFixture;

namespace Registries.Core.Tests.Domain;

// An environment may be named wherever its id is taken (GetEnvironmentByIdOrNameAsync), among the environments the
// user can see only; creation refuses a name its creator can already see.
public sealed class EnvironmentNameTests
{
    [Theory]
    [InlineData("production")]
    [InlineData("Production")]
    [InlineData("  PRODUCTION ")]
    public async Task GetEnvironmentByIdOrNameAsync_NameOfAVisibleEnvironment_ReturnsIt(string name)
    {
        var f = await CreateAsync();

        var found = await f.Service.As(Reader).GetEnvironmentByIdOrNameAsync(name);

        Assert.Equal(f.EnvironmentId, found.Id);
    }

    [Fact]
    public async Task GetEnvironmentByIdOrNameAsync_Id_ReturnsIt()
    {
        var f = await CreateAsync();

        var found = await f.Service.As(Member).GetEnvironmentByIdOrNameAsync(f.EnvironmentId);

        Assert.Equal("production", found.Name);
    }

    [Fact]
    public async Task GetEnvironmentByIdOrNameAsync_IdOfOneNameOfAnother_TheIdWins()
    {
        var f = await CreateAsync();

        // Named by someone who could not see the id, then shared with a member of both.
        var named = await f.Service.As(Outsider).CreateEnvironmentAsync(f.EnvironmentId);
        await f.Service.As(Outsider).SetMemberAsync(named.Id, Member, EnvironmentRole.Member);

        var found = await f.Service.As(Member).GetEnvironmentByIdOrNameAsync(f.EnvironmentId);

        Assert.NotEqual(named.Id, f.EnvironmentId);
        Assert.Equal(f.EnvironmentId, found.Id);
    }

    [Fact]
    public async Task GetEnvironmentByIdOrNameAsync_IdTheUserCannotSeeButNameOfOneTheyCan_ReturnsTheVisibleOne()
    {
        var f = await CreateAsync();
        var theirs = await f.Service.As(Outsider).CreateEnvironmentAsync(f.EnvironmentId);

        var found = await f.Service.As(Outsider).GetEnvironmentByIdOrNameAsync(f.EnvironmentId);

        Assert.Equal(theirs.Id, found.Id);
    }

    [Fact]
    public async Task GetEnvironmentByIdOrNameAsync_NameOfAnEnvironmentTheUserCannotSee_IsNotFoundLikeAnUnknownName()
    {
        var f = await CreateAsync();

        var hidden = await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => f.Service.As(Outsider).GetEnvironmentByIdOrNameAsync("production").AsTask());
        var unknown = await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => f.Service.As(Outsider).GetEnvironmentByIdOrNameAsync("no-such-environment").AsTask());

        Assert.Equal(unknown.Message.Replace("no-such-environment", "production", StringComparison.Ordinal), hidden.Message);
        Assert.DoesNotContain(f.EnvironmentId, hidden.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetEnvironmentByIdOrNameAsync_SameNameAsAnOutsidersEnvironment_FindsOnlyTheVisibleOne()
    {
        var f = await CreateAsync();
        var theirs = await f.Service.As(Outsider).CreateEnvironmentAsync("production");

        var mine = await f.Service.As(Owner).GetEnvironmentByIdOrNameAsync("production");
        var outsiders = await f.Service.As(Outsider).GetEnvironmentByIdOrNameAsync("production");

        Assert.Equal(f.EnvironmentId, mine.Id);
        Assert.Equal(theirs.Id, outsiders.Id);
    }

    [Fact]
    public async Task GetEnvironmentByIdOrNameAsync_NameOfSeveralVisibleEnvironments_ThrowsListingOnlyTheirIds()
    {
        var f = await CreateAsync();
        var other = await f.Service.As(Outsider).CreateEnvironmentAsync("PRODUCTION");
        await f.Service.As(Outsider).SetMemberAsync(other.Id, Member, EnvironmentRole.Member);
        var hidden = await f.Service.As("someone-else").CreateEnvironmentAsync("production");

        var error = await Assert.ThrowsAsync<AmbiguousEnvironmentNameException>(() => f.Service.As(Member).GetEnvironmentByIdOrNameAsync(" production").AsTask());

        Assert.Equal([f.EnvironmentId, other.Id], error.EnvironmentIds);
        Assert.Equal("production", error.Name);
        Assert.Contains(f.EnvironmentId, error.Message, StringComparison.Ordinal);
        Assert.Contains(other.Id, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(hidden.Id, error.Message, StringComparison.Ordinal);
        Assert.Contains("id", error.Message, StringComparison.Ordinal);
        Assert.Equal(f.EnvironmentId, (await f.Service.As(Member).GetEnvironmentByIdOrNameAsync(f.EnvironmentId)).Id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task GetEnvironmentByIdOrNameAsync_Blank_IsNotFound(string idOrName)
    {
        var f = await CreateAsync();

        await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => f.Service.As(Owner).GetEnvironmentByIdOrNameAsync(idOrName).AsTask());
    }

    [Fact]
    public async Task GetEnvironmentByIdOrNameAsync_NullArguments_Throw()
    {
        var f = await CreateAsync();

        await Assert.ThrowsAsync<ArgumentNullException>(() => f.Service.As(Owner).GetEnvironmentByIdOrNameAsync(null!).AsTask());
        Assert.ThrowsAny<ArgumentException>(() => f.Service.As(" "));
    }

    [Theory]
    [InlineData("production")]
    [InlineData("PRODUCTION")]
    [InlineData(" production\t")]
    public async Task CreateEnvironmentAsync_NameTheCreatorCanAlreadySee_IsRefusedAndNothingIsCreated(string name)
    {
        var f = await CreateAsync();

        var error = await Assert.ThrowsAsync<DuplicateEnvironmentNameException>(() => f.Service.As(Reader).CreateEnvironmentAsync(name).AsTask());

        Assert.Equal(f.EnvironmentId, error.ExistingEnvironmentId);
        Assert.Equal(name.Trim(), error.Name);
        Assert.Contains("choose another name", error.Message, StringComparison.Ordinal);
        Assert.Contains(f.EnvironmentId, error.Message, StringComparison.Ordinal);
        Assert.Single(await f.Store.ListEnvironmentsAsync());
    }

    [Fact]
    public async Task CreateEnvironmentAsync_IdOfAnEnvironmentTheCreatorCanSee_IsRefused()
    {
        var f = await CreateAsync();

        var error = await Assert.ThrowsAsync<DuplicateEnvironmentNameException>(() => f.Service.As(Owner).CreateEnvironmentAsync(f.EnvironmentId).AsTask());

        Assert.Equal(f.EnvironmentId, error.ExistingEnvironmentId);
        Assert.Contains("choose another name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateEnvironmentAsync_NameOnlyAnotherUserCanSee_IsCreatedWithoutRevealingTheOther()
    {
        var f = await CreateAsync();

        var created = await f.Service.As(Outsider).CreateEnvironmentAsync("production");

        Assert.NotEqual(f.EnvironmentId, created.Id);
        Assert.Equal(EnvironmentRole.Owner, created.RoleOf(Outsider));
    }

    [Theory]
    [InlineData("a\nb", "U+000A at position 2")]
    [InlineData("evil\u001b[2K", "U+001B at position 5")]
    [InlineData("ab\u202Ec", "U+202E at position 3")]
    [InlineData("x\u2028y", "U+2028 at position 2")]
    [InlineData("zero\u200Bwidth", "U+200B at position 5")]
    [InlineData("\U0001F680\u0007", "U+0007 at position 2")]
    public async Task CreateEnvironmentAsync_ControlOrInvisibleCharacter_IsRefusedWithItsCodePointAndNothingIsCreated(string name, string where)
    {
        var f = await CreateAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => f.Service.As(Owner).CreateEnvironmentAsync(name).AsTask());

        Assert.Contains(where, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(error.Message, c => char.IsControl(c) || char.IsSurrogate(c) || c is '\u202E' or '\u2028' or '\u200B');
        Assert.Single(await f.Store.ListEnvironmentsAsync());
    }

    [Fact]
    public async Task CreateEnvironmentAsync_LoneSurrogate_IsRefused()
    {
        // Built here: xUnit would turn a lone surrogate in an InlineData string into U+FFFD.
        var f = await CreateAsync();
        var name = "lone" + (char)0xD800;

        var error = await Assert.ThrowsAsync<ArgumentException>(() => f.Service.As(Owner).CreateEnvironmentAsync(name).AsTask());

        Assert.Contains("U+D800 at position 5", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(error.Message, char.IsSurrogate);
    }

    [Fact]
    public async Task CreateEnvironmentAsync_NonAsciiAndEmojiName_IsAccepted()
    {
        var f = await CreateAsync();

        var created = await f.Service.As(Owner).CreateEnvironmentAsync("Produktion \u00DCbersee \U0001F680");

        Assert.Equal("Produktion \u00DCbersee \U0001F680", created.Name);
    }

    [Theory]
    [InlineData("x\r\u001b[2Kevil", "U+000D at position 2")]
    [InlineData("bob\u2066", "U+2066 at position 4")]
    public async Task SetMemberAsync_UserNameWithControlOrInvisibleCharacter_IsRefusedAndNothingChanges(string user, string where)
    {
        var f = await CreateAsync();
        var before = await f.Service.As(Owner).GetEnvironmentAsync(f.EnvironmentId);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => f.Service.As(Owner).SetMemberAsync(f.EnvironmentId, user, EnvironmentRole.Member).AsTask());

        Assert.Contains(where, error.Message, StringComparison.Ordinal);
        var after = await f.Service.As(Owner).GetEnvironmentAsync(f.EnvironmentId);
        Assert.Equal(before.Members.OrderBy(m => m.Key, StringComparer.Ordinal), after.Members.OrderBy(m => m.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task CreateEnvironmentAsync_NameWithBlanksAround_IsStoredTrimmed()
    {
        var f = await CreateAsync();

        var created = await f.Service.As(Owner).CreateEnvironmentAsync("  staging  ");

        Assert.Equal("staging", created.Name);
        Assert.Equal(created.Id, (await f.Service.As(Owner).GetEnvironmentByIdOrNameAsync("Staging")).Id);
    }

    [Theory]
    [InlineData("prod", "prod", true)]
    [InlineData("prod", "PROD", true)]
    [InlineData("prod", " prod\n", true)]
    [InlineData("prod", "prod2", false)]
    [InlineData("prod", "pr od", false)]
    [InlineData("café", "CAFÉ", true)]
    [InlineData("café", "cafe\u0301", false)]
    [InlineData("prod", null, false)]
    public void IsNamed_ComparesOrdinallyIgnoringCaseAndSurroundingBlanks(string name, string? candidate, bool expected)
    {
        var environment = new RegistryEnvironment("1a1", name, OrchestrationKind.Cattle, [new("u", EnvironmentRole.Owner)], 1);

        Assert.Equal(expected, environment.IsNamed(candidate));
    }
}
