using Registries.Core.Storage;

namespace Registries.Core.Tests.Domain;

/// <summary>Options given to a constructor directly are checked as DI checks them, with a message that says what to fix.</summary>
public sealed class RegistriesOptionsTests
{
    public static TheoryData<string> Constructors() => ["service", "resolver"];

    [Theory]
    [MemberData(nameof(Constructors))]
    public void Constructor_NoSupportedOrchestration_ThrowsSayingToKeepCattle(string constructor)
    {
        var options = new RegistriesOptions();
        options.SupportedOrchestrations.Clear();

        var error = Assert.Throws<ArgumentException>(() => Create(constructor, options));

        Assert.Equal("options", error.ParamName);
        Assert.Contains("SupportedOrchestrations is empty: keep at least Cattle", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("service", 101)]
    [InlineData("resolver", 101)]
    [InlineData("service", -1)]
    [InlineData("resolver", int.MinValue)]
    public void Constructor_ConcurrencyRetriesOutOfRange_ThrowsSayingTheRange(string constructor, int retries)
    {
        var options = new RegistriesOptions { ConcurrencyRetries = retries };

        var error = Assert.Throws<ArgumentException>(() => Create(constructor, options));

        Assert.Contains($"ConcurrencyRetries is {retries}: give a number from 0 to 100", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Constructors))]
    public void Constructor_UnknownOrchestration_ThrowsNamingTheKnownOnes(string constructor)
    {
        var options = new RegistriesOptions();
        options.SupportedOrchestrations.Add((OrchestrationKind)42);

        var error = Assert.Throws<ArgumentException>(() => Create(constructor, options));

        Assert.Contains("contains 42, which is not an orchestration kind: use Cattle, Kubernetes, Swarm or Mesos", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_SeveralProblems_ReportsEveryOne()
    {
        var options = new RegistriesOptions { ConcurrencyRetries = 101 };
        options.SupportedOrchestrations.Clear();

        var error = Assert.Throws<ArgumentException>(() => new RegistryService(new InMemoryRegistryStore(), options));

        Assert.Contains("SupportedOrchestrations is empty", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConcurrencyRetries is 101", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public void Constructor_BoundaryRetries_AreAccepted(int retries)
    {
        var options = new RegistriesOptions { ConcurrencyRetries = retries };

        Assert.NotNull(new RegistryService(new InMemoryRegistryStore(), options));
        Assert.NotNull(new LaunchResolver(new InMemoryRegistryStore(), options));
    }

    private static object Create(string constructor, RegistriesOptions options) => constructor switch
    {
        "service" => new RegistryService(new InMemoryRegistryStore(), options),
        "resolver" => new LaunchResolver(new InMemoryRegistryStore(), options),
        _ => throw new ArgumentOutOfRangeException(nameof(constructor), constructor, "Unknown constructor."),
    };
}
