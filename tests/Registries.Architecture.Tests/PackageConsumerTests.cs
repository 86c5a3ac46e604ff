using System.Globalization;
using Registries.Testing;

namespace Registries.Architecture.Tests;

/// <summary>The packages work for a consumer: a test project of their own, with the SDK's implicit usings, restores
/// every package from a package folder, builds with no name clash, and runs: the conformance suite against the
/// consumer's own store, a unit test on the Testing package's seeded store and fake engine, and the adapters wired the
/// way an application wires them (the caller plugged in once).</summary>
public sealed class PackageConsumerTests : IDisposable
{
    private static readonly string[] Packages =
    [
        "Registries.Core", "Registries.Core.DependencyInjection", "Registries.Core.FileStore", "Registries.Core.Docker",
        "Registries.Core.Interop", "Registries.Core.HostConfiguration", "Registries.Core.Testing", "Registries.Core.Storage.Conformance",
        "Registries.Core.PostgreSql", "Registries.Core.DataProtection", "Registries.Core.AspNetCore",
    ];

    private readonly TestDirectory _work = new("registries-consumer-");
    private string? _version;

    public void Dispose()
    {
        _work.Dispose();

        // Leave no throw-away versions in NuGet's global package folder.
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var package in Packages)
        {
            var folder = Path.Combine(globalPackages, package.ToLowerInvariant(), _version ?? "-");
            if (_version is not null && Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Packages_ConsumerTestProject_RestoresBuildsAndPasses()
    {
        // A version of its own, so that NuGet's global cache never hands back an older build of the same version.
        var version = _version = "0.0.0-consumer." + DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture);
        var feed = Directory.CreateDirectory(_work.Combine("feed")).FullName;
        foreach (var package in Packages)
        {
            await DotnetAsync(RepositoryPaths.Root, "pack", RepositoryPaths.Combine("src", package, package + ".csproj"), "-c", RepositoryPaths.Configuration, "--no-build", "-o", feed, "-p:Version=" + version);
        }

        var app = Directory.CreateDirectory(_work.Combine("app")).FullName;
        var references = string.Concat(Packages.Select(p => $"    <PackageReference Include=\"{p}\" Version=\"{version}\" />\n"));
        await File.WriteAllTextAsync(Path.Combine(app, "Consumer.Tests.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <IsPackable>false</IsPackable>
                <RestoreAdditionalProjectSources>{feed}</RestoreAdditionalProjectSources>
              </PropertyGroup>
              <ItemGroup>
            {references}    <PackageReference Include="Microsoft.Extensions.DependencyInjection" Version="11.0.0" />
                <PackageReference Include="Microsoft.NET.Test.Sdk" Version="18.0.1" />
                <PackageReference Include="xunit" Version="2.9.3" />
                <PackageReference Include="xunit.runner.visualstudio" Version="3.1.5" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "ConsumerTests.cs"), ConsumerSource);

        var output = await DotnetAsync(app, "test", app, "--logger", "console;verbosity=normal");

        // dotnet test exited 0, so nothing failed; the suite's own tests ran against the consumer's store (dozens of them,
        // the model run included), and so did the consumer's own.
        var conformance = System.Text.RegularExpressions.Regex.Matches(output, @"Passed Consumer\.Tests\.MyStoreConformanceTests\.").Count;
        Assert.True(conformance >= 30, $"Only {conformance} conformance tests passed in the consumer:\n{output}");
        Assert.Contains("MyStoreConformanceTests.AllOperations_RandomSequence_MatchesSimpleModel", output, StringComparison.Ordinal);
        Assert.Contains("Pull_DeniedRegistry_IsRefusedAndNothingIsPulled", output, StringComparison.Ordinal);
        Assert.Contains("Adapters_WiredLikeAnApp_ActForThePluggedInCaller", output, StringComparison.Ordinal);
    }

    // What a consumer writes: their own store (here a decorator over the in-memory one, as an app adds caching or
    // auditing), the conformance suite run against it, a unit test on the Testing package, and the adapters wired
    // with the caller plugged in once. Implicit usings bring System, System.IO...: these names must stay the BCL's.
    private const string ConsumerSource = """
        using Microsoft.Extensions.DependencyInjection;
        using Registries.Core;
        using Registries.Core.AspNetCore;
        using Registries.Core.DataProtection;
        using Registries.Core.DependencyInjection;
        using Registries.Core.Docker;
        using Registries.Core.Engine;
        using Registries.Core.FileStore;
        using Registries.Core.HostConfiguration;
        using Registries.Core.Interop;
        using Registries.Core.PostgreSql;
        using Registries.Core.Storage;
        using Registries.Core.Storage.Conformance;
        using Registries.Core.Testing;
        using Xunit;

        namespace Consumer.Tests;

        public sealed class MyStore(IRegistryStore inner) : IRegistryStore
        {
            public int Writes { get; private set; }

            public ValueTask<RegistryEnvironment> CreateEnvironmentAsync(string name, OrchestrationKind orchestration, IReadOnlyDictionary<string, EnvironmentRole> members, CancellationToken cancellationToken = default)
            {
                Writes++;
                return inner.CreateEnvironmentAsync(name, orchestration, members, cancellationToken);
            }

            public ValueTask<RegistryEnvironment?> GetEnvironmentAsync(string environmentId, CancellationToken cancellationToken = default) => inner.GetEnvironmentAsync(environmentId, cancellationToken);

            public ValueTask<IReadOnlyList<RegistryEnvironment>> ListEnvironmentsAsync(CancellationToken cancellationToken = default) => inner.ListEnvironmentsAsync(cancellationToken);

            public ValueTask<RegistryEnvironment> UpdateEnvironmentAsync(RegistryEnvironment environment, CancellationToken cancellationToken = default)
            {
                Writes++;
                return inner.UpdateEnvironmentAsync(environment, cancellationToken);
            }

            public ValueTask<StoredRegistry> AddRegistryAsync(string environmentId, RegistryScope scope, RegistryCredential credential, CancellationToken cancellationToken = default)
            {
                Writes++;
                return inner.AddRegistryAsync(environmentId, scope, credential, cancellationToken);
            }

            public ValueTask<StoredRegistry?> GetRegistryAsync(string environmentId, string registryId, CancellationToken cancellationToken = default) => inner.GetRegistryAsync(environmentId, registryId, cancellationToken);

            public ValueTask<IReadOnlyList<StoredRegistry>> ListRegistriesAsync(string environmentId, CancellationToken cancellationToken = default) => inner.ListRegistriesAsync(environmentId, cancellationToken);

            public ValueTask<IReadOnlyList<StoredRegistry>> ListRegistriesByAddressAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default) => inner.ListRegistriesByAddressAsync(environmentId, address, cancellationToken);

            public ValueTask<StoredRegistry> UpdateRegistryAsync(StoredRegistry record, CancellationToken cancellationToken = default)
            {
                Writes++;
                return inner.UpdateRegistryAsync(record, cancellationToken);
            }
        }

        public sealed class MyStoreConformanceTests : RegistryStoreConformanceTests
        {
            protected override ValueTask<IRegistryStore> CreateStoreAsync() => ValueTask.FromResult<IRegistryStore>(new MyStore(new InMemoryRegistryStore()));
        }

        public sealed class LaunchTests
        {
            [Fact]
            public async Task Pull_DeniedRegistry_IsRefusedAndNothingIsPulled()
            {
                var registries = await RegistriesSeed.CreateAsync(seed => seed
                    .Environment("prod", owner: "alice")
                    .Registry("prod", "registry.example.com:5000", "ci", "s3cret", state: RegistryState.Inactive));
                var engine = new FakeImageEngine();

                var error = await Assert.ThrowsAsync<ImagePullException>(async () =>
                    await registries.CreatePullService(engine).EnsureImageAsync(registries.EnvironmentId("prod"), ImageReference.Parse("registry.example.com:5000/team/api:1")));

                Assert.Equal(ImagePullError.Denied, error.Error);
                Assert.Empty(engine.SuccessfulPulls);
            }

            [Fact]
            public async Task Adapters_WiredLikeAnApp_ActForThePluggedInCaller()
            {
                var store = Path.Combine(Path.GetTempPath(), "consumer-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N") + ".json");
                var services = new ServiceCollection();
                services.AddRegistries()
                    .UseFileStore(o => o.Path = store)
                    .UseDocker()
                    .UseDockerHostConfiguration()
                    .UseDockerConfigInterop()
                    .UseCaller(_ => "consumer");
                await using var provider = services.BuildServiceProvider();
                var registries = provider.GetRequiredService<RegistryService>();
                try
                {
                    var env = await registries.CreateEnvironmentAsync("prod");
                    await registries.AddRegistryAsync(env.Id, RegistryAddress.Quay, new RegistryCredential("c@example.com", "c", "pw"));
                    var answer = await provider.GetRequiredService<LaunchResolver>().ResolveAsync(env.Id, "quay.io/org/app:1");
                    var export = await provider.GetRequiredService<DockerConfigExporter>().ExportAsync(env.Id);

                    Assert.Equal(ResolutionOutcome.Authenticated, answer.Outcome);
                    Assert.Equal([RegistryAddress.Quay], export.Addresses);
                    Assert.True(await registries.HasPermissionAsync(env.Id, RegistryPermission.ManageMembers));
                    Assert.IsType<DockerImageEngine>(provider.GetRequiredService<IImageEngine>());
                    Assert.NotNull(provider.GetRequiredService<InsecureRegistryConfigurator>());
                    Assert.IsType<FileRegistryStore>(provider.GetRequiredService<IRegistryStore>());

                    // The many-hosts packages restore and load beside the others (they need a server or a key ring to run).
                    Assert.Equal("Registries.Core.PostgreSql", typeof(PostgreSqlRegistryStore).Assembly.GetName().Name);
                    Assert.Equal("Registries.Core.DataProtection", typeof(DataProtectionSecretProtector).Assembly.GetName().Name);
                    Assert.Equal("Registries.Core.AspNetCore", typeof(RegistriesEndpointRouteBuilderExtensions).Assembly.GetName().Name);
                }
                finally
                {
                    File.Delete(store);
                    File.Delete(store + ".key");
                    File.Delete(store + ".lock");
                }
            }
        }
        """;

    private static async Task<string> DotnetAsync(string workingDirectory, params string[] args)
    {
        var result = await Processes.RunAsync(
            "dotnet",
            args,
            new Dictionary<string, string?> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" },
            timeout: TimeSpan.FromMinutes(8),
            workingDirectory: workingDirectory);
        var output = result.Output + result.Error;
        Assert.True(result.ExitCode == 0, $"dotnet {string.Join(' ', args)} failed ({result.ExitCode}):\n{output}");
        return output;
    }
}
