using Microsoft.Extensions.Options;

namespace Registries.Core.Interop.Tests;

/// <summary>The importer's constructor refuses invalid options as dependency injection does at start: an
/// OptionsValidationException whose messages say what to fix.</summary>
public sealed class DockerConfigImportOptionsTests
{
    public static TheoryData<TimeSpan, string> BadTimeouts => new()
    {
        { TimeSpan.Zero, "DockerConfigImportOptions.HelperTimeout is 00:00:00: it must be positive, for example 10 seconds." },
        { TimeSpan.FromSeconds(-1), "DockerConfigImportOptions.HelperTimeout is -00:00:01: it must be positive, for example 10 seconds." },
        { TimeSpan.FromMinutes(11), "DockerConfigImportOptions.HelperTimeout is 00:11:00: it must be at most 00:10:00, for example 10 seconds." },
        { TimeSpan.MaxValue, "DockerConfigImportOptions.HelperTimeout is 10675199.02:48:05.4775807: it must be at most 00:10:00, for example 10 seconds." },
    };

    [Theory]
    [MemberData(nameof(BadTimeouts))]
    public async Task Constructor_BadHelperTimeout_ThrowsOptionsValidationException(TimeSpan timeout, string message)
    {
        var domain = await Domain.CreateAsync();

        var error = Assert.Throws<OptionsValidationException>(() => Domain.Importer(domain.Service, new DockerConfigImportOptions { HelperTimeout = timeout }));

        Assert.Equal([message], error.Failures);
        Assert.Equal(typeof(DockerConfigImportOptions), error.OptionsType);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("helpers", "is 'helpers', not an absolute folder")]
    [InlineData("./bin", "is './bin', not an absolute folder")]
    public async Task Constructor_BadHelperDirectory_ThrowsOptionsValidationException(string folder, string expected)
    {
        var domain = await Domain.CreateAsync();
        var options = new DockerConfigImportOptions();
        options.HelperDirectories.Add("/usr/local/bin");
        options.HelperDirectories.Add(folder);

        var error = Assert.Throws<OptionsValidationException>(() => Domain.Importer(domain.Service, options));

        Assert.StartsWith("DockerConfigImportOptions.HelperDirectories[1] " + expected, Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Constructor_VerifyWithoutVerifier_ThrowsOptionsValidationExceptionNamingTheFix()
    {
        var domain = await Domain.CreateAsync();

        var error = Assert.Throws<OptionsValidationException>(() => Domain.Importer(domain.Service, new DockerConfigImportOptions { Verify = true }));

        Assert.Contains("pass one to the DockerConfigImporter constructor, or set Verify to false", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Constructor_NullArguments_ThrowArgumentNullException()
    {
        var domain = await Domain.CreateAsync();

        Assert.Throws<ArgumentNullException>(() => new DockerConfigImporter(null!, Options.Create(new DockerConfigImportOptions())));
        Assert.Throws<ArgumentNullException>(() => new DockerConfigImporter(domain.Service, null!));
    }

    [Fact]
    public async Task Constructor_OptionsChangedAfterwards_ImporterKeepsWhatWasValidated()
    {
        var domain = await Domain.CreateAsync();
        var options = DockerConfigImporterTests.HelperOptions();
        var importer = Domain.Importer(domain.Service, options);
        options.HelperDirectories.Clear();
        options.HelperTimeout = TimeSpan.Zero;

        var result = await importer.ImportAsync(domain.EnvironmentId, """{"credHelpers": {"ok.example.com": "test"}}""", "import@example.com");

        Assert.Equal(1, result.ImportedCount);
    }
}
