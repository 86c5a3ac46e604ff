namespace Registries.Core.Engine;

/// <summary>One progress report of a pull, as the engine gives it (per layer).</summary>
public sealed class ImagePullProgress
{
    /// <summary>Initializes a new report.</summary>
    /// <param name="layerId">The layer, or <see langword="null"/> for the whole image.</param>
    /// <param name="status">The engine's status text, for example <c>Downloading</c>.</param>
    /// <param name="current">Bytes done, when known.</param>
    /// <param name="total">Bytes in all, when known.</param>
    public ImagePullProgress(string? layerId, string status, long? current = null, long? total = null)
    {
        LayerId = layerId;
        Status = status ?? string.Empty;
        Current = current;
        Total = total;
    }

    /// <summary>Gets the layer, or <see langword="null"/> for the whole image.</summary>
    public string? LayerId { get; }

    /// <summary>Gets the engine's status text.</summary>
    public string Status { get; }

    /// <summary>Gets the bytes done, when known.</summary>
    public long? Current { get; }

    /// <summary>Gets the bytes in all, when known.</summary>
    public long? Total { get; }

    /// <inheritdoc/>
    public override string ToString()
        => (LayerId is null ? string.Empty : LayerId + ": ") + Status + (Current is { } c && Total is { } t ? $" {c}/{t}" : string.Empty);
}
