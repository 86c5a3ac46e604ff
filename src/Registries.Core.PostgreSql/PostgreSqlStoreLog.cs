using Microsoft.Extensions.Logging;

namespace Registries.Core.PostgreSql;

/// <summary>What the PostgreSQL store logs: the server (host:port), database, schema and versions only, never a
/// connection string, a password or a protected value.</summary>
internal static partial class PostgreSqlStoreLog
{
    [LoggerMessage(EventId = 1, EventName = "SchemaMigrated", Level = LogLevel.Information, Message = "Migrated the Registries.Core schema '{Schema}' in database '{Database}' on {Server} from version {From} to {To}.")]
    public static partial void SchemaMigrated(ILogger logger, string schema, string database, string server, int from, int to);

    [LoggerMessage(EventId = 2, EventName = "SchemaCurrent", Level = LogLevel.Debug, Message = "The Registries.Core schema '{Schema}' in database '{Database}' on {Server} is at version {Version}.")]
    public static partial void SchemaCurrent(ILogger logger, string schema, string database, string server, int version);

    [LoggerMessage(EventId = 3, EventName = "StoreFailed", Level = LogLevel.Warning, Message = "{Message}")]
    public static partial void StoreFailed(ILogger logger, string message);

    [LoggerMessage(EventId = 4, EventName = "ResolutionCacheListening", Level = LogLevel.Debug, Message = "The resolution cache listens on channel '{Channel}' and trusts itself for {MaxStalenessSeconds} s after each round trip.")]
    public static partial void ListenerStarted(ILogger logger, string channel, double maxStalenessSeconds);

    [LoggerMessage(EventId = 5, EventName = "ResolutionCacheListenerFailed", Level = LogLevel.Warning, Message = "The resolution cache stopped listening and answers from the database until it listens again (retry in {BackoffMilliseconds} ms): {Message}")]
    public static partial void ListenerFailed(ILogger logger, string message, int backoffMilliseconds);
}
