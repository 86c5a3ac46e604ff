using Docker.DotNet.Models;
using Registries.Core.Engine;
using Registries.Core.Shared;

namespace Registries.Core.Docker;

/// <summary>Reads the Engine's pull progress stream: forwards progress and keeps the first error.</summary>
/// <remarks>
/// Docker.DotNet calls <see cref="Report"/> synchronously for each JSON message, in order, on the reading thread;
/// that is why this is not a <see cref="Progress{T}"/>, which would post the messages later to a context.
/// </remarks>
internal sealed class DockerPullStream : IProgress<JSONMessage>
{
    private readonly IProgress<ImagePullProgress>? _progress;
    private readonly CredentialMask _mask;

    /// <summary>Initializes a new reader.</summary>
    /// <param name="progress">Where progress goes, or <see langword="null"/>.</param>
    /// <param name="mask">The credential of the pull: the Engine's texts are masked before anyone sees them.</param>
    public DockerPullStream(IProgress<ImagePullProgress>? progress, CredentialMask mask)
    {
        _progress = progress;
        _mask = mask;
    }

    /// <summary>Gets the first error the stream carried (unmasked, for classification), or <see langword="null"/>.</summary>
    public string? Error { get; private set; }

    /// <summary>Gets the last status the stream carried, masked, or <see langword="null"/>.</summary>
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

        var status = _mask.Apply(value.Status);
        LastStatus = status;
        if (_progress is null)
        {
            return;
        }

        // "Pulling from REPO" carries the tag in its id, not a layer.
        var layer = string.IsNullOrEmpty(value.ID) || value.Status.StartsWith("Pulling from ", StringComparison.Ordinal) ? null : _mask.Apply(value.ID);
        long? current = null;
        long? total = null;
        if (value.Progress is { } detail && (detail.Current > 0 || detail.Total > 0))
        {
            current = detail.Current;
            total = detail.Total > 0 ? detail.Total : null;
        }

        _progress.Report(new ImagePullProgress(layer, status, current, total));
    }
}
