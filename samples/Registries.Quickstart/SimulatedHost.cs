using Registries.Core;
using Registries.Core.Engine;

namespace Registries.Quickstart;

/// <summary>A stand-in for a Docker host, so the quickstart runs anywhere: it remembers which images it holds and
/// "pulls" by recording the credential it was given. The real adapter is Registries.Core.Docker.</summary>
internal sealed class SimulatedHost : IImageEngine
{
    private readonly HashSet<ImageReference> _images = [];

    public List<string> PullLog { get; } = [];

    public void Preload(ImageReference image) => _images.Add(image);

    public ValueTask<bool> ImageExistsAsync(ImageReference image, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(_images.Contains(image));

    public ValueTask PullAsync(CredentialResolution resolution, IProgress<ImagePullProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        // A pull needs an image: a resolution of a registry address alone names none.
        var image = resolution.Image ?? throw new ArgumentException($"The resolution of {resolution.Address} names no image: resolve an image to pull it.", nameof(resolution));
        PullLog.Add(resolution.Outcome == ResolutionOutcome.Authenticated ? $"as '{resolution.Username}'" : "anonymously");
        _images.Add(image);
        progress?.Report(new ImagePullProgress(null, "Pull complete"));
        return ValueTask.CompletedTask;
    }
}
