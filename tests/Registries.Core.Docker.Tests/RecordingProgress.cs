using System.Collections.Concurrent;
using Registries.Core.Engine;

namespace Registries.Core.Docker.Tests;

/// <summary>Keeps every progress report, in order, as it is reported (not posted to a context).</summary>
internal sealed class RecordingProgress(Action<ImagePullProgress>? onReport = null) : IProgress<ImagePullProgress>
{
    private readonly ConcurrentQueue<ImagePullProgress> _items = new();

    public IReadOnlyCollection<ImagePullProgress> Items => _items;

    public void Report(ImagePullProgress value)
    {
        _items.Enqueue(value);
        onReport?.Invoke(value);
    }
}
