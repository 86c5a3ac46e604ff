using Npgsql;
using Registries.Testing;
using Xunit;

namespace Registries.Web.Tests;

/// <summary>Two instances of the sample behind one PostgreSQL database (and one key file): what one does, the other shows and enforces.</summary>
[Trait("Category", "Integration")]
public sealed class TwoInstancesTests
{
    private const string Canary = "Canary-TwoInstances-5d1e0b77";

    [Fact]
    public async Task TwoInstances_OneDatabase_AnAddAndADeactivateInOneAreSeenInTheOther()
    {
        var server = TestServices.RequirePostgreSql();
        var database = "registries_web_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync(server.ConnectionString, $"CREATE DATABASE {database}");
        using var folder = new TestDirectory("registries-web-two-");
        try
        {
            var connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database }.ConnectionString;
            var keyFile = folder.Combine("store.key");
            var first = new WebSample(connectionString, keyFile);
            var second = new WebSample(connectionString, keyFile);
            try
            {
                // One after the other, so that exactly one of them seeds the empty database.
                await first.InitializeAsync();
                await second.InitializeAsync();

                using var owner = new SampleClient(first);
                await owner.SignInAsync("owner");
                var environment = SampleClient.EnvironmentOf(await owner.GetAsync("/"));
                var added = await owner.PostFormAsync($"/Add?env={environment}", $"/Add?env={environment}",
                [
                    new("Kind", "Custom"), new("Address", "shared.registries.test:5000"), new("Email", "shared@example.com"),
                    new("Username", "shared-user"), new("Password", Canary),
                ]);
                Assert.Contains("Added shared.registries.test:5000", added, StringComparison.Ordinal);

                using var member = new SampleClient(second);
                await member.SignInAsync("member");
                var list = await member.GetAsync($"/?env={environment}");
                Assert.Equal(environment, SampleClient.EnvironmentOf(list));
                Assert.Contains("shared-user", list, StringComparison.Ordinal);
                var resolved = await member.GetAsync($"/?env={environment}&image=shared.registries.test:5000/team/app:1.0");
                Assert.Contains("data-outcome=\"Authenticated\"", resolved, StringComparison.Ordinal);

                var id = System.Text.RegularExpressions.Regex.Match(list, "data-registry-id=\"([^\"]+)\"").Groups[1].Value;
                var deactivated = await member.PostFormAsync($"/?env={environment}", $"/?handler=Deactivate&env={environment}", [new("id", id)]);
                Assert.Contains("Deactivated shared.registries.test:5000", deactivated, StringComparison.Ordinal);

                var denied = await owner.GetAsync($"/?env={environment}&image=shared.registries.test:5000/team/app:1.0");
                Assert.Contains("data-outcome=\"Denied\"", denied, StringComparison.Ordinal);
                foreach (var page in new[] { added, list, resolved, deactivated, denied })
                {
                    Assert.DoesNotContain(Canary, page, StringComparison.Ordinal);
                }

                Assert.Single(System.Text.RegularExpressions.Regex.Matches(list, "<option value="));
            }
            finally
            {
                await second.DisposeAsync();
                await first.DisposeAsync();
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(server.ConnectionString, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var admin = NpgsqlDataSource.Create(connectionString);
        await using var command = admin.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
