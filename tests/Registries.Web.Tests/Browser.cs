using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using Registries.Testing;
using Xunit;

namespace Registries.Web.Tests;

/// <summary>One headless Debian chromium (through Debian's chromedriver) and one running sample, shared by a test class.</summary>
/// <remarks>A missing chromium or chromedriver fails every test of the class with a message that says what to install; it never skips.</remarks>
public sealed class Browser : IAsyncLifetime
{
    /// <summary>Debian's chromium.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Debian's chromedriver (package chromium-driver).</summary>
    public const string ChromeDriverPath = "/usr/bin/chromedriver";

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly TestDirectory _profile = new("registries-web-chromium-");
    private ChromeDriver? _driver;

    /// <summary>Gets the running sample.</summary>
    public WebSample Sample { get; } = new();

    /// <summary>Gets the browser.</summary>
    public ChromeDriver Driver => _driver ?? throw new InvalidOperationException("The browser did not start.");

    /// <summary>Gets the folder the screenshots go to: <c>REGISTRIES_TEST_SCREENSHOTS</c>, else <c>artifacts/test-results/screenshots</c>.</summary>
    public static string ScreenshotDirectory { get; } =
        System.Environment.GetEnvironmentVariable("REGISTRIES_TEST_SCREENSHOTS") is { Length: > 0 } given
            ? given
            : RepositoryPaths.Combine("artifacts", "test-results", "screenshots");

    /// <summary>Starts the sample, then the browser.</summary>
    /// <returns>A task that completes when both run.</returns>
    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath) || !File.Exists(ChromeDriverPath))
        {
            Assert.Fail($"The browser tests need Debian's chromium ({ChromiumPath}) and chromedriver ({ChromeDriverPath}): "
                + "'apt-get install chromium chromium-driver', or run the tests through 'bash eng/test.sh', which installs them.");
        }

        await Sample.InitializeAsync();

        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriverPath)!, Path.GetFileName(ChromeDriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + _profile.Path);
        _driver = new ChromeDriver(service, options, Bound);
        _driver.Manage().Timeouts().PageLoad = Bound;
        _driver.Manage().Timeouts().AsynchronousJavaScript = Bound;
        _driver.Manage().Timeouts().ImplicitWait = TimeSpan.Zero;
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    /// <summary>Closes the browser and stops the sample.</summary>
    /// <returns>A task that completes when both are gone.</returns>
    public async Task DisposeAsync()
    {
        _driver?.Quit();
        _driver?.Dispose();
        await Sample.DisposeAsync();
        _profile.Dispose();
    }
}
