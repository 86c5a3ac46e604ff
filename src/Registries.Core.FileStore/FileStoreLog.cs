using Microsoft.Extensions.Logging;

namespace Registries.Core.FileStore;

/// <summary>What the file store logs: file paths and counts only, never a password or a protected value.</summary>
internal static partial class FileStoreLog
{
    [LoggerMessage(EventId = 1, EventName = "WaitingForLock", Level = LogLevel.Debug, Message = "Another process holds the write lock '{LockPath}'; waiting up to {Timeout} for it.")]
    public static partial void WaitingForLock(ILogger logger, string lockPath, TimeSpan timeout);

    [LoggerMessage(EventId = 2, EventName = "LeftoversDeleted", Level = LogLevel.Information, Message = "Deleted {Count} temporary file(s) that an interrupted writer left next to the store file '{StorePath}'.")]
    public static partial void LeftoversDeleted(ILogger logger, int count, string storePath);
}
