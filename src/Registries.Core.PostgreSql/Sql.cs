using System.Security.Cryptography;
using System.Text;

namespace Registries.Core.PostgreSql;

/// <summary>The store's SQL for one schema, built once from constants and the validated schema name.</summary>
/// <remarks>Every value is a parameter; only the schema name (checked by <see cref="PostgreSqlStoreOptionsValidator"/>:
/// lowercase letters, digits and underscores) is written into the text, quoted.</remarks>
internal sealed class Sql
{
    private const string RegistryColumns = "id, environment_id, address, state, email, username, sequence, version, protected_password, path";

    public Sql(string schema)
    {
        var s = "\"" + schema + "\"";
        VersionTable = s + ".schema_version";

        // The lock is per schema: stores in other schemas of the same database do not wait for each other.
        LockKey = BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("Registries.Core.PostgreSql/migrate/" + schema)), 0);
        SelectVersion = $"SELECT version FROM {s}.schema_version WHERE singleton";
        RecordVersion = $"INSERT INTO {s}.schema_version (singleton, version, migrated_at) VALUES (true, @version, now()) ON CONFLICT (singleton) DO UPDATE SET version = excluded.version, migrated_at = excluded.migrated_at";
        Migrations =
        [
            // Version 1. The one sequence gives ids and order: its values only grow (CACHE 1, so instances draw from
            // one counter in call order), and one is never handed out twice.
            $"""
            CREATE SCHEMA IF NOT EXISTS {s};
            CREATE TABLE {s}.schema_version (
                singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                version integer NOT NULL,
                migrated_at timestamptz NOT NULL);
            CREATE SEQUENCE {s}.ids AS bigint START WITH 1 CACHE 1 NO CYCLE;
            CREATE TABLE {s}.environments (
                id text PRIMARY KEY,
                position bigint NOT NULL UNIQUE,
                name text NOT NULL,
                orchestration text NOT NULL,
                members jsonb NOT NULL,
                version bigint NOT NULL CHECK (version >= 1));
            CREATE TABLE {s}.registries (
                id text PRIMARY KEY,
                environment_id text NOT NULL REFERENCES {s}.environments (id),
                address text NOT NULL,
                address_key text NOT NULL,
                state text NOT NULL CHECK (state IN ('Active', 'Inactive', 'Removed')),
                email text NOT NULL,
                username text NOT NULL,
                sequence bigint NOT NULL UNIQUE,
                version bigint NOT NULL CHECK (version >= 1),
                protected_password text,
                CHECK ((state = 'Removed') = (protected_password IS NULL)));
            CREATE INDEX registries_by_address ON {s}.registries (environment_id, address_key, sequence);
            CREATE INDEX registries_by_environment ON {s}.registries (environment_id, sequence);
            """,

            // Version 2. Every writer (another instance, a store without the cache, store copy, plain SQL) tells the
            // listening stores which environment changed: a row trigger notifies the channel named after the schema
            // with the environment's id, and NOTIFY is transactional, so it is delivered on commit only (a rolled back
            // write says nothing). TRUNCATE names no row: '*' means "everything". Idempotent by construction (OR
            // REPLACE, IF EXISTS), though it runs once, under the advisory lock.
            $"""
            CREATE OR REPLACE FUNCTION {s}.notify_change() RETURNS trigger LANGUAGE plpgsql AS $body$
            BEGIN
                IF TG_LEVEL = 'STATEMENT' THEN
                    PERFORM pg_notify({Literal(schema)}, '*');
                ELSIF TG_TABLE_NAME = 'environments' THEN
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM pg_notify({Literal(schema)}, OLD.id); END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM pg_notify({Literal(schema)}, NEW.id); END IF;
                ELSE
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM pg_notify({Literal(schema)}, OLD.environment_id); END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM pg_notify({Literal(schema)}, NEW.environment_id); END IF;
                END IF;
                RETURN NULL;
            END
            $body$;
            DROP TRIGGER IF EXISTS environments_notify ON {s}.environments;
            CREATE TRIGGER environments_notify AFTER INSERT OR UPDATE OR DELETE ON {s}.environments FOR EACH ROW EXECUTE FUNCTION {s}.notify_change();
            DROP TRIGGER IF EXISTS environments_notify_truncate ON {s}.environments;
            CREATE TRIGGER environments_notify_truncate AFTER TRUNCATE ON {s}.environments FOR EACH STATEMENT EXECUTE FUNCTION {s}.notify_change();
            DROP TRIGGER IF EXISTS registries_notify ON {s}.registries;
            CREATE TRIGGER registries_notify AFTER INSERT OR UPDATE OR DELETE ON {s}.registries FOR EACH ROW EXECUTE FUNCTION {s}.notify_change();
            DROP TRIGGER IF EXISTS registries_notify_truncate ON {s}.registries;
            CREATE TRIGGER registries_notify_truncate AFTER TRUNCATE ON {s}.registries FOR EACH STATEMENT EXECUTE FUNCTION {s}.notify_change();
            """,

            // Version 3: scopes. An entry may be narrowed to a repository path prefix ('' covers the whole address),
            // and its address may be a host pattern ('*.corp.example', whose key is the pattern in lowercase). A
            // release before this one refuses a version 3 schema, so it never reads a path-scoped entry as one for
            // the whole registry.
            $"""
            ALTER TABLE {s}.registries ADD COLUMN IF NOT EXISTS path text NOT NULL DEFAULT '';
            """,
        ];

        Channel = schema;
        Listen = $"LISTEN {s}";

        NextValue = $"SELECT nextval('{s}.ids')";
        InsertEnvironment = $"""
            WITH n AS (SELECT nextval('{s}.ids') AS n)
            INSERT INTO {s}.environments (id, position, name, orchestration, members, version)
            SELECT '1a' || n.n, n.n, @name, @orchestration, @members, 1 FROM n
            RETURNING id, name, orchestration, members::text, version
            """;
        SelectEnvironment = $"SELECT id, name, orchestration, members::text, version FROM {s}.environments WHERE id = @id";
        ListEnvironments = $"SELECT id, name, orchestration, members::text, version FROM {s}.environments ORDER BY position";
        UpdateEnvironment = $"UPDATE {s}.environments SET name = @name, orchestration = @orchestration, members = @members, version = version + 1 WHERE id = @id AND version = @version RETURNING version";
        EnvironmentVersion = $"SELECT version FROM {s}.environments WHERE id = @id";
        InsertRegistry = $"""
            INSERT INTO {s}.registries ({RegistryColumns}, address_key)
            SELECT @id, @environment, @address, 'Active', @email, @username, @sequence, 1, @password, @path, @key
            WHERE EXISTS (SELECT 1 FROM {s}.environments WHERE id = @environment)
            """;
        SelectRegistry = $"SELECT {RegistryColumns} FROM {s}.registries WHERE environment_id = @environment AND id = @id";
        SelectRegistryAnywhere = $"SELECT {RegistryColumns} FROM {s}.registries WHERE id = @id";
        ListRegistries = $"SELECT {RegistryColumns} FROM {s}.registries WHERE environment_id = @environment ORDER BY sequence";
        ListRegistriesByAddress = $"SELECT {RegistryColumns} FROM {s}.registries WHERE environment_id = @environment AND address_key = @key ORDER BY sequence";
        ListRegistriesByAddresses = $"SELECT {RegistryColumns} FROM {s}.registries WHERE environment_id = @environment AND address_key = ANY(@keys) ORDER BY sequence";
        UpdateRegistry = $"""
            UPDATE {s}.registries SET state = @state, email = @email, username = @username, protected_password = @password, version = version + 1
            WHERE id = @id AND environment_id = @environment AND address_key = @key AND path = @path AND sequence = @sequence AND version = @version
            RETURNING version
            """;

        // Key rotation: the live entries in the order of the unique sequence (an index range per batch), and a write
        // that matches the ciphertext it read, so that a concurrent edit is never overwritten. The version stays.
        SelectProtectedBatch = $"SELECT id, environment_id, sequence, protected_password FROM {s}.registries WHERE protected_password IS NOT NULL AND sequence > @after ORDER BY sequence LIMIT @limit";
        SelectProtectedByIds = $"SELECT id, environment_id, sequence, protected_password FROM {s}.registries WHERE protected_password IS NOT NULL AND id = ANY(@ids) ORDER BY sequence";
        ReprotectRegistry = $"UPDATE {s}.registries SET protected_password = @password WHERE id = @id AND protected_password = @read";
        SelectProtectedPasswords = $"SELECT protected_password FROM {s}.registries WHERE protected_password IS NOT NULL ORDER BY sequence";
    }

    public string VersionTable { get; }

    /// <summary>Gets the channel the triggers notify: the schema's name (a valid identifier of at most 63 characters,
    /// as a channel must be).</summary>
    public string Channel { get; }

    /// <summary>Gets the statement that subscribes a connection to <see cref="Channel"/>.</summary>
    public string Listen { get; }

    public long LockKey { get; }

    public string SelectVersion { get; }

    public string RecordVersion { get; }

    /// <summary>Gets the migrations: element <c>i</c> takes the schema from version <c>i</c> to <c>i + 1</c>.</summary>
    public IReadOnlyList<string> Migrations { get; }

    public string NextValue { get; }

    public string InsertEnvironment { get; }

    public string SelectEnvironment { get; }

    public string ListEnvironments { get; }

    public string UpdateEnvironment { get; }

    public string EnvironmentVersion { get; }

    public string InsertRegistry { get; }

    public string SelectRegistry { get; }

    public string SelectRegistryAnywhere { get; }

    public string ListRegistries { get; }

    public string ListRegistriesByAddress { get; }

    public string ListRegistriesByAddresses { get; }

    public string UpdateRegistry { get; }

    public string SelectProtectedBatch { get; }

    public string SelectProtectedByIds { get; }

    public string ReprotectRegistry { get; }

    public string SelectProtectedPasswords { get; }

    // The schema name is validated (lowercase letters, digits, underscores), so it needs no escaping as a literal.
    private static string Literal(string schema) => "'" + schema + "'";
}
