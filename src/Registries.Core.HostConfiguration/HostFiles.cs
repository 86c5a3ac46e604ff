namespace Registries.Core.HostConfiguration;

/// <summary>The asynchronous face of <see cref="AtomicFile"/> that the public methods await.</summary>
/// <remarks>
/// <see cref="AtomicFile"/> keeps every safety property (non-blocking open and statx before a read, bounded reads,
/// temporary file + fsync + rename, modes and links kept) in synchronous code, and is about to be replaced by one
/// shared implementation. On Linux, .NET's own asynchronous file I/O (<c>RandomAccess.ReadAsync</c>, an async
/// <c>FileStream</c>) runs the same blocking system calls on the thread pool; running <see cref="AtomicFile"/> there is
/// therefore what an async read or write would do, and the caller's thread never waits on the disk. When the shared
/// implementation offers asynchronous reads and writes, only this class changes.
/// </remarks>
internal static class HostFiles
{
    /// <summary>Reads a regular file as <see cref="AtomicFile.ReadIfExists"/> does, off the caller's thread.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the read.</exception>
    /// <exception cref="DockerHostConfigurationException">The file is not a regular file, is too large or cannot be read.</exception>
    internal static Task<byte[]?> ReadIfExistsAsync(string path, int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.Run(() => AtomicFile.ReadIfExists(path, limit), cancellationToken);
    }

    /// <summary>Replaces (or creates) a file as <see cref="AtomicFile.Write"/> does, off the caller's thread.</summary>
    /// <remarks>Takes no token on purpose: callers observe cancellation before their first write and never between two,
    /// so that an operation that began writing is never left with one file edited and the next not.</remarks>
    /// <exception cref="DockerHostConfigurationException">The file cannot be written (it is left as it was).</exception>
    internal static Task WriteAsync(string path, byte[] content)
        => Task.Run(() => AtomicFile.Write(path, content), CancellationToken.None);
}
