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
}
