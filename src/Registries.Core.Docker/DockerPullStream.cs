using Docker.DotNet.Models;
using Registries.Core.Engine;

namespace Registries.Core.Docker;

/// <summary>Reads the Engine's pull progress stream: forwards progress and keeps the first error.</summary>
/// <remarks>
/// Docker.DotNet calls <see cref="Report"/> synchronously for each JSON message, in order, on the reading thread;
/// that is why this is not a <see cref="Progress{T}"/>, which would post the messages later to a context.
/// </remarks>
internal sealed class DockerPullStream : IProgress<JSONMessage>
{
    private readonly IProgress<ImagePullProgress>? _progress;

    public DockerPullStream(IProgress<ImagePullProgress>? progress)
    {
        _progress = progress;
    }

    /// <summary>Gets the first error the stream carried, or <see langword="null"/>.</summary>
    public string? Error { get; private set; }

    /// <summary>Gets the last status the stream carried, or <see langword="null"/>.</summary>
    public string? LastStatus { get; private set; }

    /// <summary>Handles one message of the stream.</summary>
    /// <param name="value">The message.</param>
    public void Report(JSONMessage value)
    {
        if (value is null)
        {
            return;
        }

        var error = !string.IsNullOrEmpty(value.Error?.Message) ? value.Error.Message : value.ErrorMessage;
        if (!string.IsNullOrEmpty(error))
        {
            Error ??= error;
            return;
        }

        if (string.IsNullOrEmpty(value.Status))
        {
            return;
        }

        LastStatus = value.Status;
        if (_progress is null)
        {
            return;
        }

        // "Pulling from REPO" carries the tag in its id, not a layer.
        var layer = string.IsNullOrEmpty(value.ID) || value.Status.StartsWith("Pulling from ", StringComparison.Ordinal) ? null : value.ID;
        long? current = null;
        long? total = null;
        if (value.Progress is { } detail && (detail.Current > 0 || detail.Total > 0))
        {
            current = detail.Current;
            total = detail.Total > 0 ? detail.Total : null;
        }

        _progress.Report(new ImagePullProgress(layer, value.Status, current, total));
    }
}
