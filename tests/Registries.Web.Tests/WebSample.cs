using System.Reflection;
using System.Text.RegularExpressions;
using Registries.Testing;
using Xunit;

namespace Registries.Web.Tests;

/// <summary>The built web sample, run for real: Kestrel on a free loopback port, a fresh file store (or a given database), stopped on dispose.</summary>
/// <remarks>It runs in Development on purpose: the error page must hold there too, where ASP.NET Core would otherwise show stack traces.</remarks>
public sealed partial class WebSample : IAsyncLifetime
{
    /// <summary>The demo users' passwords given to the sample on its command line (not the ones of appsettings.json).</summary>
    public static readonly IReadOnlyDictionary<string, string> Passwords = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["owner"] = "Owner-Test-Pass-1",
        ["member"] = "Member-Test-Pass-2",
        ["readonly"] = "ReadOnly-Test-Pass-3",
    };

    private static readonly string SamplePath = typeof(WebSample).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RegistriesWebPath").Value!;

    private readonly TestDirectory _directory = new("registries-web-");
    private readonly string? _connectionString;
    private readonly string? _keyFile;
    private readonly IReadOnlyList<string> _settings = [];
    private BackgroundProcess? _process;

    /// <summary>Creates a sample over a fresh file store in a temporary folder.</summary>
    public WebSample()
    {
    }

    /// <summary>Creates a sample over a PostgreSQL database, with passwords protected by a key file shared with other instances.</summary>
    /// <param name="connectionString">The database.</param>
    /// <param name="keyFile">The shared key file.</param>
    internal WebSample(string connectionString, string keyFile)
    {
        _connectionString = connectionString;
        _keyFile = keyFile;
    }

    /// <summary>Creates a sample over a fresh file store with settings of the test's own (<c>--Registries:CredentialHelpers=x</c>).</summary>
    /// <param name="settings">Command-line settings added to the sample's.</param>
    internal WebSample(IReadOnlyList<string> settings)
    {
        _settings = settings;
    }

    /// <summary>Gets the folder of the sample's store, where a test may put files of its own.</summary>
    internal string Folder => _directory.Path;

    /// <summary>Gets the sample's address, <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Gets the folder of the file store (its file and key), when the sample runs over one.</summary>
    public string StoreDirectory => _directory.Combine("store");

    /// <summary>Gets what the sample wrote so far.</summary>
    public string Log => _process?.Log ?? string.Empty;

    /// <summary>Starts the sample and waits (at most 60 seconds) until it listens.</summary>
    /// <returns>A task that completes when it listens.</returns>
    public async Task InitializeAsync()
    {
        List<string> arguments =
        [
            SamplePath,
            "--urls", "http://127.0.0.1:0",
            "--contentRoot", Path.GetDirectoryName(RepositoryPaths.Combine("samples", "Registries.Web", "Registries.Web.csproj"))!,
            "--environment", "Development",
        ];
        if (_connectionString is null)
        {
            arguments.Add("--Registries:StorePath=" + _directory.Combine("store", "registries.json"));
        }
        else
        {
            arguments.Add("--ConnectionStrings:Registries=" + _connectionString);
            arguments.Add("--Registries:KeyFile=" + _keyFile);
        }

        arguments.AddRange(Passwords.Select(p => $"--Demo:Users:{p.Key}:Password={p.Value}"));
        arguments.AddRange(_settings);
        _process = new BackgroundProcess(System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", arguments);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (ListeningLine().Match(_process.Log) is { Success: true } match)
            {
                Address = new Uri(match.Groups[1].Value + "/");
                return;
            }

            if (_process.HasExited)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"The web sample did not start listening within 60 s (exited: {_process.HasExited}). Its output:\n{_process.Log}");
    }

    /// <summary>Returns the address of a page of the sample.</summary>
    /// <param name="pathAndQuery">The page, for example <c>/Add?env=1a1</c>.</param>
    /// <returns>The full address.</returns>
    public Uri Page(string pathAndQuery) => new(Address, pathAndQuery.TrimStart('/'));

    /// <summary>Stops the sample and deletes its store.</summary>
    /// <returns>A task that completes when it is gone.</returns>
    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.StopAsync();
            await _process.DisposeAsync();
        }

        _directory.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
