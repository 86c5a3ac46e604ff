using System.Globalization;
using System.Net.Sockets;
using Npgsql;

namespace Registries.Core.PostgreSql;

/// <summary>Turns what Npgsql, the socket or the server reported into one line that names what to fix.</summary>
/// <remarks>The line names the server (host:port), the database, the role and the schema, never the connection string:
/// it may hold the password. The server's own text (<see cref="PostgresException.MessageText"/>) is quoted only for
/// faults where it names an object, never its <c>Detail</c>, which may repeat row values.</remarks>
internal static class PostgreSqlFaults
{
    /// <summary>Describes a fault of one operation.</summary>
    /// <param name="e">The fault.</param>
    /// <param name="operation">The store operation, for example <c>AddRegistryAsync</c>.</param>
    /// <param name="store">The store (server, database, schema).</param>
    /// <param name="role">The role in the connection string.</param>
    /// <param name="commandTimeoutSeconds">The command timeout of the statements the operation ran.</param>
    /// <param name="commandTimeoutSource">The option of <see cref="PostgreSqlStoreOptions"/> that timeout comes from.</param>
    /// <returns>The message.</returns>
    public static string Describe(Exception e, string operation, PostgreSqlRegistryStore store, string role, int commandTimeoutSeconds, string commandTimeoutSource = "CommandTimeout")
    {
        var option = "PostgreSqlStoreOptions." + commandTimeoutSource;
        var timeout = $"command timeout: {commandTimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s, from {option}";
        var server = store.Server;
        var during = $"during {operation} (PostgreSQL store, schema '{store.Schema}' of database '{store.Database}')";
        if (Find<PostgresException>(e) is { } pg)
        {
            return pg.SqlState switch
            {
                PostgresErrorCodes.InvalidPassword => $"PostgreSQL at {server} refused the password of role '{role}' {during}; check Username and Password in the connection string (the password is not shown here).",
                PostgresErrorCodes.InvalidAuthorizationSpecification => $"PostgreSQL at {server} refused the login of role '{role}' to database '{store.Database}' {during}: {pg.MessageText}; check Username, or ask the administrator for a pg_hba.conf entry.",
                PostgresErrorCodes.InvalidCatalogName => $"The database '{store.Database}' does not exist on the PostgreSQL server at {server} ({operation}); create it (createdb {store.Database}) or fix Database in the connection string.",
                PostgresErrorCodes.InvalidSchemaName or PostgresErrorCodes.UndefinedTable => $"The Registries.Core schema '{store.Schema}' is missing or incomplete in database '{store.Database}' on {server} ({operation}): {pg.MessageText}; run PostgreSqlRegistryStore.MigrateAsync, or restore the database from a backup.",
                PostgresErrorCodes.InsufficientPrivilege => $"Role '{role}' lacks a privilege {during} on {server}: {pg.MessageText}; grant it (the migration needs CREATE on the database or the schema, the operations need SELECT, INSERT and UPDATE on its tables and USAGE on its sequence).",
                PostgresErrorCodes.TooManyConnections => $"PostgreSQL at {server} has no free connection slot {during} (max_connections reached); lower Maximum Pool Size of the instances or raise max_connections.",
                PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown => $"The PostgreSQL server at {server} shut down {during}; the operation was written whole or not at all: read again before retrying, once the server is back.",
                PostgresErrorCodes.CannotConnectNow => $"The PostgreSQL server at {server} is starting up or shutting down and refused the connection {during}; retry in a moment.",
                PostgresErrorCodes.QueryCanceled => $"PostgreSQL at {server} cancelled a command {during} (statement timeout, or an administrator); nothing of it was written; retry, or raise {option}.",
                PostgresErrorCodes.ReadOnlySqlTransaction => $"PostgreSQL at {server} is read-only (a standby?) {during}; point the connection string at the primary server.",
                _ when pg.SqlState.StartsWith("08", StringComparison.Ordinal) => $"The connection to PostgreSQL at {server} failed {during} ({pg.SqlState}: {pg.MessageText}); the operation was written whole or not at all: read again before retrying.",
                _ => $"PostgreSQL at {server} failed {during} ({pg.SqlState}: {pg.MessageText}); nothing of this operation was written.",
            };
        }

        if (Find<SocketException>(e) is { } socket)
        {
            return $"Cannot reach the PostgreSQL server at {server} {during}: {Reason(socket)}; check Host and Port in the connection string and that the server runs and accepts TCP connections there.";
        }

        if (Find<TimeoutException>(e) is not null)
        {
            return $"PostgreSQL at {server} did not answer in time {during} (connection timeout: the connection string's Timeout; {timeout}); check that the server runs and is not overloaded.";
        }

        if (Find<IOException>(e) is not null || e is NpgsqlException)
        {
            return $"The connection to PostgreSQL at {server} was lost {during} ({e.Message.TrimEnd('.')}); the operation was written whole or not at all: read again before retrying, once the server is back.";
        }

        return $"PostgreSQL at {server} failed {during}: {e.Message}";
    }

    /// <summary>Tells whether the fault means the connection (and likely every pooled one) is gone.</summary>
    /// <param name="e">The fault.</param>
    /// <returns><see langword="true"/> for a lost or refused connection and a server shutdown.</returns>
    public static bool IsConnectionLost(Exception e)
    {
        if (Find<PostgresException>(e) is { } pg)
        {
            return pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
                || pg.SqlState.StartsWith("08", StringComparison.Ordinal);
        }

        return e is NpgsqlException or IOException or SocketException;
    }

    private static string Reason(SocketException socket) => socket.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused (nothing listens there)",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "the host name does not resolve",
        SocketError.TimedOut => "the connection timed out",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "the host is unreachable",
        _ => socket.SocketErrorCode.ToString(),
    };

    private static T? Find<T>(Exception e)
        where T : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is T found)
            {
                return found;
            }
        }

        return null;
    }
}
