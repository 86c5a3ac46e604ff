using System.Net;
using System.Text.Json;
using Npgsql;
using Registries.Testing;
using Xunit;

namespace Registries.Web.Tests;

/// <summary>A store fault shows the signed-in user the API's generic line; where the store is and what failed goes to the sample's log only.</summary>
/// <remarks>The sample runs over PostgreSQL with a key file of the test's own, so that the test can break both: the key
/// file (a message with its path) and the database (a message with the server, the database and the schema).</remarks>
[Trait("Category", "Integration")]
public sealed class StoreFaultTests
{
    private const string Canary = "Canary-StoreFault-c41d9e27";

    // The API's 503 detail (Registries.Core.AspNetCore), which the page repeats word for word.
    private const string StoreUnavailable = "The registry store is unavailable: retry later; the server's log has the cause.";

    [Fact]
    public async Task Pages_StoreFaults_ShowTheApisGenericLineAndLogTheCause()
    {
        var server = TestServices.RequirePostgreSql();
        var database = "registries_web_fault_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync(server.ConnectionString, $"CREATE DATABASE {database}");
        using var folder = new TestDirectory("registries-web-fault-");
        var keyFile = folder.Combine("store.key");

        // A valid key that other users may read and write: the key-file protector refuses it, naming its path.
        await File.WriteAllTextAsync(keyFile, "registries-core-key v1\n" + Convert.ToBase64String(new byte[32]) + "\n");
        File.SetUnixFileMode(keyFile, (UnixFileMode)0b110_110_110);
        try
        {
            var connection = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database };
            var sample = new WebSample(connection.ConnectionString, keyFile);
            try
            {
                await sample.InitializeAsync();
                using var client = new SampleClient(sample);
                await client.SignInAsync("owner");
                var environment = SampleClient.EnvironmentOf(await client.GetAsync("/"));

                // The first password to protect needs the key file.
                var added = await client.PostFormAsync($"/Add?env={environment}", $"/Add?env={environment}",
                [
                    new("Kind", "Custom"), new("Address", "fault.registries.test:5000"), new("Email", "fault@example.com"),
                    new("Username", "fault-user"), new("Password", Canary),
                ]);

                Assert.Contains(StoreUnavailable, WebUtility.HtmlDecode(added), StringComparison.Ordinal);
                Assert.DoesNotContain(keyFile, added, StringComparison.Ordinal);
                Assert.DoesNotContain("open to other users", added, StringComparison.Ordinal);
                Assert.Contains(keyFile, PageLogLine(sample, "POST /Add"), StringComparison.Ordinal);

                // The database loses its schema: listing fails with the server, the database and the schema in the message.
                await ExecuteAsync(connection.ConnectionString, "DROP SCHEMA registries CASCADE");
                var list = await client.GetAsync("/?env=" + environment);
                using var api = await client.Http.GetAsync(sample.Page("/api/registries/environments"));
                var detail = JsonDocument.Parse(await api.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();

                Assert.Equal(HttpStatusCode.ServiceUnavailable, api.StatusCode);
                Assert.Equal(StoreUnavailable, detail);
                Assert.Contains(StoreUnavailable, WebUtility.HtmlDecode(list), StringComparison.Ordinal);
                Assert.DoesNotContain("You are not a member", list, StringComparison.Ordinal);
                foreach (var operatorDetail in new[] { database, $"{connection.Host}:{connection.Port}", "schema" })
                {
                    Assert.DoesNotContain(operatorDetail, list, StringComparison.OrdinalIgnoreCase);
                }

                Assert.Contains(database, PageLogLine(sample, "GET /"), StringComparison.Ordinal);
                Assert.DoesNotContain(Canary, added + list + sample.Log, StringComparison.Ordinal);
            }
            finally
            {
                await sample.DisposeAsync();
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(server.ConnectionString, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    // The line the page itself logged for a request (the PostgreSQL store logs its faults too, under its own words).
    private static string PageLogLine(WebSample sample, string request)
    {
        var suffix = " while serving the page " + request;
        var line = sample.Log.Split('\n').Select(l => l.TrimEnd('\r')).LastOrDefault(l => l.EndsWith(suffix, StringComparison.Ordinal));
        Assert.True(line is not null, $"The sample logged no store fault for {request}. Its output:\n{sample.Log}");
        return line;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var admin = NpgsqlDataSource.Create(connectionString);
        await using var command = admin.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
