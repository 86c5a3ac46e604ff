using Registries.Core.Events;
using static Registries.Core.Tests.Domain.DomainFixture;

namespace Registries.Core.Tests.Domain;

public sealed class ObserverFailureTests
{
    private static readonly Registry Entry = new("1r2", "1a1", RegistryAddress.Quay, RegistryState.Active, "ops@example.com", "deploy", 2, 1);

    [Fact]
    public void ToString_RegistryEventFailure_NamesObserverEventAndExceptionTypeButNotItsMessage()
    {
        var failure = new ObserverFailure(new RecordingEventObserver(), new RegistryEvent(RegistryEventKind.Added, Entry, Owner), new InvalidOperationException("leaked " + Canary));

        var text = failure.ToString();

        Assert.Equal("RecordingEventObserver failed on Added quay.io (1r2) in 1a1 by olivia: InvalidOperationException", text);
        Assert.DoesNotContain("CANARY", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_ResolutionFailure_NamesTheResolutionWithoutTheSecret()
    {
        var resolution = CredentialResolution.Authenticated(RegistryAddress.Quay, Entry, new RegistrySecret(Canary));
        var failure = new ObserverFailure(new ThrowingResolutionObserver(), new ResolutionEvent("1a1", resolution), new InvalidOperationException(Canary));

        var text = failure.ToString();

        Assert.Equal("ThrowingResolutionObserver failed on Authenticated: quay.io in 1a1 (1r2): InvalidOperationException", text);
        Assert.Null(failure.RegistryEvent);
        Assert.NotNull(failure.Resolution);
    }

    [Fact]
    public void Constructor_NullArgument_ThrowsArgumentNullException()
    {
        var registryEvent = new RegistryEvent(RegistryEventKind.Added, Entry, Owner);
        var exception = new InvalidOperationException();

        Assert.Throws<ArgumentNullException>(() => new ObserverFailure(null!, registryEvent, exception));
        Assert.Throws<ArgumentNullException>(() => new ObserverFailure(this, (RegistryEvent)null!, exception));
        Assert.Throws<ArgumentNullException>(() => new ObserverFailure(this, (ResolutionEvent)null!, exception));
        Assert.Throws<ArgumentNullException>(() => new ObserverFailure(this, registryEvent, null!));
    }
}
