using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Registries.Core.PostgreSql;

/// <summary>The rules of <see cref="PostgreSqlStoreOptions"/>: checked at start (<c>ValidateOnStart</c>) and by the constructors.</summary>
/// <remarks>Only the values are checked, never the server. No message shows the connection string: it may hold a
/// password.</remarks>
internal sealed partial class PostgreSqlStoreOptionsValidator : IValidateOptions<PostgreSqlStoreOptions>
{
    /// <summary>The longest command timeout accepted: a command that runs longer hides a stuck server instead of reporting it.</summary>
    internal static readonly TimeSpan MaxCommandTimeout = TimeSpan.FromHours(1);

    /// <summary>The shortest staleness bound accepted: a shorter one would make the listening connection spend its time on round trips.</summary>
    internal static readonly TimeSpan MinResolutionCacheMaxStaleness = TimeSpan.FromSeconds(1);

    /// <summary>The longest staleness bound accepted: a longer one would let a revoked credential live too long.</summary>
    internal static readonly TimeSpan MaxResolutionCacheMaxStaleness = TimeSpan.FromMinutes(5);

    private const string Example = "Host=db.example.com;Port=5432;Username=registries;Password=...;Database=registries";

    public ValidateOptionsResult Validate(string? name, PostgreSqlStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        CheckConnectionString(options.ConnectionString, failures);
        CheckRest(options, failures);
        if (options.ResolutionCache && failures.Count == 0)
        {
            CheckListenable(new NpgsqlConnectionStringBuilder(options.ConnectionString), failures);
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }

    /// <summary>Checks what does not depend on the connection string, for a store given its data source.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The result.</returns>
    internal static ValidateOptionsResult ValidateWithoutConnectionString(PostgreSqlStoreOptions options)
    {
        var failures = new List<string>();
        CheckRest(options, failures);
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }

    private static void CheckRest(PostgreSqlStoreOptions options, List<string> failures)
    {
        if (string.IsNullOrEmpty(options.Schema) || !SchemaName().IsMatch(options.Schema))
        {
            failures.Add($"PostgreSqlStoreOptions.Schema '{options.Schema}' is not a schema name this store uses; give lowercase letters, digits and underscores, starting with a letter or an underscore, at most 63 characters, for example '{PostgreSqlStoreOptions.DefaultSchema}' (the default).");
        }
        else if (options.Schema.StartsWith("pg_", StringComparison.Ordinal))
        {
            failures.Add($"PostgreSqlStoreOptions.Schema '{options.Schema}' starts with 'pg_', which PostgreSQL reserves for its own schemas; give another name, for example '{PostgreSqlStoreOptions.DefaultSchema}'.");
        }

        if (options.CommandTimeout < TimeSpan.FromSeconds(1) || options.CommandTimeout > MaxCommandTimeout)
        {
            failures.Add($"PostgreSqlStoreOptions.CommandTimeout is {options.CommandTimeout}; give a timeout between one second and {MaxCommandTimeout.TotalHours:0} hour, for example 30 seconds (the default).");
        }

        if (options.ResolutionCacheMaxStaleness < MinResolutionCacheMaxStaleness || options.ResolutionCacheMaxStaleness > MaxResolutionCacheMaxStaleness)
        {
            failures.Add($"PostgreSqlStoreOptions.ResolutionCacheMaxStaleness is {options.ResolutionCacheMaxStaleness}; give a bound between one second and {MaxResolutionCacheMaxStaleness.TotalMinutes:0} minutes, for example 5 seconds (the default).");
        }
    }

    /// <summary>Checks that a connection of this connection string can LISTEN, as the resolution cache needs.</summary>
    /// <param name="connectionString">The parsed connection string.</param>
    /// <param name="failures">Where a failure is added.</param>
    internal static void CheckListenable(NpgsqlConnectionStringBuilder connectionString, List<string> failures)
    {
        if (connectionString.Multiplexing)
        {
            failures.Add("PostgreSqlStoreOptions.ResolutionCache needs a connection that can LISTEN, and the connection string sets Multiplexing=true; remove Multiplexing, or turn the resolution cache off.");
        }
    }

    private static void CheckConnectionString(string? connectionString, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            failures.Add($"PostgreSqlStoreOptions.ConnectionString is not set; give an Npgsql connection string, for example '{Example}'.");
            return;
        }

        if (connectionString.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || connectionString.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"PostgreSqlStoreOptions.ConnectionString is a URI; give it as key=value pairs, for example '{Example}'.");
            return;
        }

        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            // The parser's message may quote a piece of the string, and so a password: say only what the form is.
            failures.Add($"PostgreSqlStoreOptions.ConnectionString is not a valid Npgsql connection string (an unknown keyword, a value of the wrong type, or a missing '='); give key=value pairs separated by ';', for example '{Example}'.");
            return;
        }

        if (string.IsNullOrWhiteSpace(parsed.Host))
        {
            failures.Add($"PostgreSqlStoreOptions.ConnectionString names no Host; add the server, for example '{Example}'.");
        }
        else if (parsed.Host.Split(',').Any(host => host.Trim().Length > MaxHostLength))
        {
            // The resolver would refuse it at the first connection with an ArgumentException of its own words.
            failures.Add($"PostgreSqlStoreOptions.ConnectionString names a Host longer than {MaxHostLength} characters, which no DNS name or address is; check the Host, for example '{Example}'.");
        }
    }

    // A DNS name has at most 253 characters (RFC 1035), with brackets and a zone an IPv6 address far fewer.
    private const int MaxHostLength = 253;

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaName();
}
