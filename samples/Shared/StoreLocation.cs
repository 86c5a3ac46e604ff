using Npgsql;

namespace Registries.Samples.Shared;

// What --store names, shared by the CLI and the native credential helper and kubelet provider (linked into each): a
// file, or a PostgreSQL database given as a URI (postgresql://USER@HOST:PORT/DB) or a key=value connection string.
internal static class StoreLocation
{
    public static bool IsDatabase(string store)
        => store.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            || store.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || (store.Contains('=', StringComparison.Ordinal) && !store.Contains('/', StringComparison.Ordinal) && !store.Contains('\\', StringComparison.Ordinal));

    // postgresql://USER@HOST:PORT/DB?sslmode=require as libpq writes it, turned into Npgsql's key=value form. A password
    // in the URI is refused: a command line is visible to every user of the host (ps); PGPASSWORD or ~/.pgpass hold it.
    internal static string ConnectionString(string store)
    {
        if (!store.Contains("://", StringComparison.Ordinal))
        {
            return store;
        }

        if (!Uri.TryCreate(store, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException($"--store: '{Redacted(store)}' is not a PostgreSQL URI: give postgresql://USER@HOST:PORT/DB (for example postgresql://registries@db.example.com:5432/registries).");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = uri.IdnHost };
        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            var separator = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            if (separator >= 0)
            {
                throw new ArgumentException($"--store: '{Redacted(store)}' holds a password, which every user of this host could read in the process list: remove it from the URI and give it in PGPASSWORD or ~/.pgpass.");
            }

            builder.Username = Uri.UnescapeDataString(uri.UserInfo);
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            try
            {
                builder[name.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? "SSL Mode" : name] = value;
            }
            catch (ArgumentException)
            {
                throw new ArgumentException($"--store: the URI parameter '{name}' is not a connection setting Npgsql knows: use sslmode, or a key=value connection string.");
            }
        }

        if (builder.Password is null && System.Environment.GetEnvironmentVariable("PGPASSWORD") is { Length: > 0 } password)
        {
            builder.Password = password;
        }

        return builder.ConnectionString;
    }

    // The store as it may be shown: whatever stands between '://' and '@' is hidden.
    private static string Redacted(string store)
    {
        var scheme = store.IndexOf("://", StringComparison.Ordinal);
        var at = store.LastIndexOf('@');
        return scheme >= 0 && at > scheme ? store[..(scheme + 3)] + "***" + store[at..] : store;
    }
}
