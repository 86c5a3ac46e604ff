using System.Diagnostics;
using System.Globalization;
using Registries.Testing;

namespace Registries.Architecture.Tests;

/// <summary>The packages work for a consumer: a console app with the SDK's implicit usings restores them from a
/// package folder and compiles against all of them, with no name clash (no type named Environment, Path, …).</summary>
public sealed class PackageConsumerTests : IDisposable
{
    private static readonly string[] Packages =
    [
        "Registries.Core", "Registries.Core.DependencyInjection", "Registries.Core.FileStore", "Registries.Core.Docker",
        "Registries.Core.Interop", "Registries.Core.HostConfiguration",
    ];

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("registries-consumer-");
    private string? _version;

    public void Dispose()
    {
        _work.Delete(recursive: true);

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
    public async Task Packages_ConsumerWithImplicitUsings_RestoresAndBuilds()
    {
        // A version of its own, so that NuGet's global cache never hands back an older build of the same version.
        var version = _version = "0.0.0-consumer." + DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture);
        var feed = Directory.CreateDirectory(Path.Combine(_work.FullName, "feed")).FullName;
        foreach (var package in Packages)
        {
            await RunAsync(RepositoryPaths.Root, "pack", RepositoryPaths.Combine("src", package, package + ".csproj"), "-c", RepositoryPaths.Configuration, "--no-build", "-o", feed, "-p:Version=" + version);
        }

        var app = Directory.CreateDirectory(Path.Combine(_work.FullName, "app")).FullName;
        var references = string.Concat(Packages.Select(p => $"    <PackageReference Include=\"{p}\" Version=\"{version}\" />\n"));
        await File.WriteAllTextAsync(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <RestoreSources>{feed};$(RestoreSources)</RestoreSources>
              </PropertyGroup>
              <ItemGroup>
            {references}    <PackageReference Include="Microsoft.Extensions.DependencyInjection" Version="10.0.0" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
            using Microsoft.Extensions.DependencyInjection;
            using Registries.Core;
            using Registries.Core.DependencyInjection;
            using Registries.Core.Docker;
            using Registries.Core.HostConfiguration;
            using Registries.Core.Interop;
            using Registries.Core.Storage;

            // Implicit usings bring System, System.IO, System.Threading.Tasks…: these names must still be the BCL's.
            var store = Path.Combine(Path.GetTempPath(), "consumer-" + Environment.ProcessId + ".json");
            var services = new ServiceCollection();
            services.AddRegistries().UseFileStore(store).UseDocker().UseDockerHostConfiguration();
            await using var provider = services.BuildServiceProvider();
            var registries = provider.GetRequiredService<RegistryService>();
            var env = await registries.CreateEnvironmentAsync("consumer", "prod");
            await registries.AddRegistryAsync("consumer", env.Id, RegistryAddress.Quay, new RegistryCredential("c@example.com", "c", "pw"));
            var answer = await provider.GetRequiredService<CredentialResolver>().ResolveAsync(env.Id, "quay.io/org/app:1");
            var export = await new DockerConfigExporter(registries).ExportAsync("consumer", env.Id);
            Task done = Task.CompletedTask;
            await done;
            Console.WriteLine($"{answer.Outcome} {export.Registries.Count} {typeof(DockerImageEngine).Name} {typeof(InsecureRegistryConfigurator).Name} {typeof(FileRegistryStore).Name}");
            File.Delete(store);
            File.Delete(store + ".key");
            File.Delete(store + ".lock");
            """);

        var output = await RunAsync(app, "run", "--project", app);

        Assert.Contains("Authenticated 1 DockerImageEngine InsecureRegistryConfigurator FileRegistryStore", output, StringComparison.Ordinal);
    }

    private static async Task<string> RunAsync(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} failed ({process.ExitCode}):\n{output}");
        return output;
    }
}
