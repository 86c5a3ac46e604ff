using System.Security.Cryptography;
using System.Text;

namespace Registries.Core.PostgreSql;

/// <summary>The store's SQL for one schema, built once from constants and the validated schema name.</summary>
/// <remarks>Every value is a parameter; only the schema name (checked by <see cref="PostgreSqlStoreOptionsValidator"/>:
/// lowercase letters, digits and underscores) is written into the text, quoted.</remarks>
internal sealed class Sql
{
    // The policy and mirrors (version 6) come with every read of an environment: the resolution path needs them.
    private const string EnvironmentColumns = "id, name, orchestration, members::text, version, policy::text, mirrors::text";
    private const string RegistryColumns = "id, environment_id, address, state, email, username, sequence, version, protected_password, path, source_kind, source_name, expires_at";

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

            // Version 4: writes the triggers of version 2 did not report. (1) Every trigger fires in every replication
            // role (ENABLE ALWAYS): by default a trigger is skipped under session_replication_role = replica, which
            // logical replication's apply workers and some migration tools set. (2) A change counter: one row, bumped once
            // per committing transaction that writes either table, and announced as '#<counter>' on the channel. A listener
            // reads it in every round trip; a value it was not told of (a lost notification, a dropped connection's window,
            // a write whose triggers were disabled and then announced with announce_change) forgets the whole cache. The
            // bump is a deferred constraint trigger, so the row is locked only while the transaction commits (writers of a
            // long transaction do not queue behind each other, nor deadlock on it), and it is transactional, so the counter
            // a round trip reads never runs ahead of what a read sees. Counter order is commit order (the row lock), which
            // is the order the channel delivers in: a gap between two announced values is a lost notification. An id that
            // begins with '#' is announced as '*' (everything), so it is never taken for the counter.
            $"""
            CREATE TABLE {s}.changes (
                singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                counter bigint NOT NULL,
                counted_by xid8);
            INSERT INTO {s}.changes (singleton, counter) VALUES (true, 0);

            -- SECURITY DEFINER (runs as the role that migrated, with a fixed search_path): a writer granted only the two
            -- tables, as before this version, still writes; the function does nothing but count.
            CREATE OR REPLACE FUNCTION {s}.count_change() RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $body$
            DECLARE
                counted bigint;
            BEGIN
                -- Once per transaction; an upsert, so that a deleted row comes back (a listener forgets everything then).
                INSERT INTO {s}.changes AS c (singleton, counter, counted_by) VALUES (true, 1, pg_current_xact_id())
                ON CONFLICT (singleton) DO UPDATE SET counter = c.counter + 1, counted_by = excluded.counted_by
                WHERE c.counted_by IS DISTINCT FROM excluded.counted_by
                RETURNING counter INTO counted;
                IF counted IS NOT NULL THEN
                    PERFORM pg_notify({Literal(schema)}, '#' || counted);
                END IF;
            END
            $body$;

            CREATE OR REPLACE FUNCTION {s}.count_change_trigger() RETURNS trigger LANGUAGE plpgsql AS $body$
            BEGIN
                PERFORM {s}.count_change();
                RETURN NULL;
            END
            $body$;

            CREATE OR REPLACE FUNCTION {s}.notify_change() RETURNS trigger LANGUAGE plpgsql AS $body$
            BEGIN
                IF TG_LEVEL = 'STATEMENT' THEN
                    PERFORM pg_notify({Literal(schema)}, '*');
                    PERFORM {s}.count_change();
                ELSIF TG_TABLE_NAME = 'environments' THEN
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM pg_notify({Literal(schema)}, CASE WHEN OLD.id LIKE '#%' THEN '*' ELSE OLD.id END); END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM pg_notify({Literal(schema)}, CASE WHEN NEW.id LIKE '#%' THEN '*' ELSE NEW.id END); END IF;
                ELSE
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM pg_notify({Literal(schema)}, CASE WHEN OLD.environment_id LIKE '#%' THEN '*' ELSE OLD.environment_id END); END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM pg_notify({Literal(schema)}, CASE WHEN NEW.environment_id LIKE '#%' THEN '*' ELSE NEW.environment_id END); END IF;
                END IF;
                RETURN NULL;
            END
            $body$;

            CREATE CONSTRAINT TRIGGER environments_count AFTER INSERT OR UPDATE OR DELETE ON {s}.environments DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {s}.count_change_trigger();
            CREATE CONSTRAINT TRIGGER registries_count AFTER INSERT OR UPDATE OR DELETE ON {s}.registries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {s}.count_change_trigger();
            {EnableAlways(s)}

            -- The remedy after writes made with the triggers disabled (pg_restore --disable-triggers): tells every listener
            -- that anything may have changed. pg_restore re-enables the triggers with ENABLE TRIGGER ALL, which leaves
            -- them firing in the default replication role only: this puts them back to ALWAYS (which needs the tables'
            -- owner; another role gets a warning, and the announcement still goes out). A disabled trigger is left so:
            -- someone is still restoring.
            CREATE OR REPLACE FUNCTION {s}.announce_change() RETURNS bigint LANGUAGE plpgsql AS $body$
            DECLARE
                counted bigint;
                t record;
                refused boolean := false;
            BEGIN
                FOR t IN SELECT tgrelid::regclass AS relation, tgname FROM pg_catalog.pg_trigger
                         WHERE tgrelid IN ('{s}.environments'::regclass, '{s}.registries'::regclass)
                         AND tgname IN ({TriggerNames}) AND tgenabled IN ('O', 'R') LOOP
                    BEGIN
                        EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', t.relation, t.tgname);
                    EXCEPTION WHEN insufficient_privilege THEN
                        refused := true;
                    END;
                END LOOP;
                IF refused THEN
                    RAISE WARNING 'Some Registries.Core triggers of schema % fire in one replication role only; run %.announce_change() as the owner of its tables to make them fire in every role.', {Literal(schema)}, {Literal(schema)};
                END IF;
                IF EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid IN ('{s}.environments'::regclass, '{s}.registries'::regclass)
                           AND tgname IN ({TriggerNames}) AND tgenabled = 'D') THEN
                    RAISE WARNING 'Some Registries.Core triggers of schema % are disabled: changes are not seen by the resolution caches until they are enabled (ALTER TABLE ... ENABLE ALWAYS TRIGGER) and %.announce_change() is run again.', {Literal(schema)}, {Literal(schema)};
                END IF;
                INSERT INTO {s}.changes AS c (singleton, counter, counted_by) VALUES (true, 1, pg_current_xact_id())
                ON CONFLICT (singleton) DO UPDATE SET counter = c.counter + 1, counted_by = excluded.counted_by
                RETURNING counter INTO counted;
                PERFORM pg_notify({Literal(schema)}, '*');
                PERFORM pg_notify({Literal(schema)}, '#' || counted);
                RETURN counted;
            END
            $body$;
            """,

            // Version 5: credential sources. An entry's credential is a stored password (as before: every existing row
            // reads so, with no expiry), an identity token (a refresh token, protected in protected_password exactly as a
            // password), or fetched from a credential helper or a kubelet plugin (named in source_name), which stores no
            // secret. The one CHECK of version 1 (a secret exactly when not Removed) becomes: a secret exactly when not
            // Removed and the kind stores one. Adding columns with constant defaults rewrites no row; the checks read each
            // row once. A release before this one refuses a version 5 schema, so it never reads a helper entry as a
            // password-less stored one. The kinds are spelt as the CLI spells them.
            $"""
            ALTER TABLE {s}.registries
                ADD COLUMN source_kind text NOT NULL DEFAULT 'stored',
                ADD COLUMN source_name text,
                ADD COLUMN expires_at timestamptz;
            DO $body$
            DECLARE
                c record;
            BEGIN
                -- Version 1's unnamed check (PostgreSQL names it registries_check), found by what it reads, not by name.
                FOR c IN SELECT conname FROM pg_catalog.pg_constraint
                         WHERE conrelid = '{s}.registries'::regclass AND contype = 'c'
                         AND pg_catalog.pg_get_constraintdef(oid) LIKE '%protected_password%' LOOP
                    EXECUTE format('ALTER TABLE {s}.registries DROP CONSTRAINT %I', c.conname);
                END LOOP;
            END
            $body$;
            ALTER TABLE {s}.registries
                ADD CONSTRAINT registries_source_kind CHECK (source_kind IN ('stored', 'credential-helper', 'kubelet-plugin', 'identity-token')),
                ADD CONSTRAINT registries_source_name CHECK ((source_kind IN ('credential-helper', 'kubelet-plugin')) = (source_name IS NOT NULL)),
                ADD CONSTRAINT registries_expiry CHECK (expires_at IS NULL OR source_kind = 'stored'),
                ADD CONSTRAINT registries_secret CHECK ((state <> 'Removed' AND source_kind IN ('stored', 'identity-token')) = (protected_password IS NOT NULL));
            """,

            // Version 6: an environment's policy and mirrors, in its own row, so that the resolution path reads them with
            // the environment (one query, one round trip), a change to them is an environment update with the version
            // read (optimistic concurrency as for members), and the row triggers of versions 2 and 4 tell every
            // resolution cache of it. Each is a JSON array, in order (jsonb keeps an array's order): rules
            // {"scope": "HOST[:PORT][/PATH]", "effect": "allow"|"deny", "digestOnly": bool} and mirrors {"upstream",
            // "address", "rewrite": {"pattern", "replacement"} (absent for none), "mirrorOnly": bool}. The checks hold
            // the shape (what any writer, plain SQL included, must respect); the store checks the rest when it reads (a
            // scope that parses, a rewrite that compiles, one rule per scope). Adding columns with a constant default
            // rewrites no row; every existing environment reads as having no rule and no mirror. A release before this
            // one refuses a version 6 schema, so it never reads an environment with a deny rule as one that allows all.
            $"""
            ALTER TABLE {s}.environments
                ADD COLUMN policy jsonb NOT NULL DEFAULT '[]',
                ADD COLUMN mirrors jsonb NOT NULL DEFAULT '[]';
            ALTER TABLE {s}.environments
                ADD CONSTRAINT environments_policy CHECK (jsonb_typeof(policy) = 'array' AND NOT jsonb_path_exists(policy,
                    'lax $[*] ? (@.type() != "object" || !exists(@.scope ? (@.type() == "string")) || !(@.effect == "allow" || @.effect == "deny")
                     || !exists(@.digestOnly ? (@.type() == "boolean")) || (@.effect == "deny" && @.digestOnly == true))')),
                ADD CONSTRAINT environments_mirrors CHECK (jsonb_typeof(mirrors) = 'array' AND NOT jsonb_path_exists(mirrors,
                    'lax $[*] ? (@.type() != "object" || !exists(@.upstream ? (@.type() == "string")) || !exists(@.address ? (@.type() == "string"))
                     || !exists(@.mirrorOnly ? (@.type() == "boolean"))
                     || (exists(@.rewrite) && !(exists(@.rewrite.pattern ? (@.type() == "string")) && exists(@.rewrite.replacement ? (@.type() == "string")))))'));
            """,
        ];

        Channel = schema;
        Listen = $"LISTEN {s}";
        ReadChangeCounter = $"SELECT counter FROM {s}.changes WHERE singleton";
        AnnounceChange = $"SELECT {s}.announce_change()";
        TriggersNotAlways = $"SELECT count(*) FROM pg_catalog.pg_trigger WHERE tgrelid IN ('{s}.environments'::regclass, '{s}.registries'::regclass) AND tgname IN ({TriggerNames}) AND tgenabled <> 'A'";

        NextValue = $"SELECT nextval('{s}.ids')";
        InsertEnvironment = $"""
            WITH n AS (SELECT nextval('{s}.ids') AS n)
            INSERT INTO {s}.environments (id, position, name, orchestration, members, version)
            SELECT '1a' || n.n, n.n, @name, @orchestration, @members, 1 FROM n
            RETURNING {EnvironmentColumns}
            """;
        SelectEnvironment = $"SELECT {EnvironmentColumns} FROM {s}.environments WHERE id = @id";
        ListEnvironments = $"SELECT {EnvironmentColumns} FROM {s}.environments ORDER BY position";
        UpdateEnvironment = $"UPDATE {s}.environments SET name = @name, orchestration = @orchestration, members = @members, policy = @policy, mirrors = @mirrors, version = version + 1 WHERE id = @id AND version = @version RETURNING version";
        EnvironmentVersion = $"SELECT version FROM {s}.environments WHERE id = @id";
        InsertRegistry = $"""
            INSERT INTO {s}.registries ({RegistryColumns}, address_key)
            SELECT @id, @environment, @address, 'Active', @email, @username, @sequence, 1, @password, @path, @source_kind, @source_name, @expires_at, @key
            WHERE EXISTS (SELECT 1 FROM {s}.environments WHERE id = @environment)
            """;
        SelectRegistry = $"SELECT {RegistryColumns} FROM {s}.registries WHERE environment_id = @environment AND id = @id";
        SelectRegistryAnywhere = $"SELECT {RegistryColumns} FROM {s}.registries WHERE id = @id";
        ListRegistries = $"SELECT {RegistryColumns} FROM {s}.registries WHERE environment_id = @environment ORDER BY sequence";
        ListRegistriesByAddress = $"SELECT {RegistryColumns} FROM {s}.registries WHERE environment_id = @environment AND address_key = @key ORDER BY sequence";
        ListRegistriesByAddresses = $"SELECT {RegistryColumns} FROM {s}.registries WHERE environment_id = @environment AND address_key = ANY(@keys) ORDER BY sequence";
        UpdateRegistry = $"""
            UPDATE {s}.registries SET state = @state, email = @email, username = @username, protected_password = @password,
                source_kind = @source_kind, source_name = @source_name, expires_at = @expires_at, version = version + 1
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

    /// <summary>Gets the statement of the listener's round trip: the change counter (null when its row is gone).</summary>
    public string ReadChangeCounter { get; }

    /// <summary>Gets the statement that tells every listener that anything may have changed.</summary>
    public string AnnounceChange { get; }

    /// <summary>Gets the statement that counts the store's triggers that do not fire in every replication role.</summary>
    public string TriggersNotAlways { get; }

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

    // The triggers of versions 2 and 4, on both tables.
    private const string TriggerNames = "'environments_notify', 'environments_notify_truncate', 'environments_count', 'registries_notify', 'registries_notify_truncate', 'registries_count'";

    // The schema name is validated (lowercase letters, digits, underscores), so it needs no escaping as a literal.
    private static string Literal(string schema) => "'" + schema + "'";

    private static string EnableAlways(string s) => $"""
        ALTER TABLE {s}.environments ENABLE ALWAYS TRIGGER environments_notify;
        ALTER TABLE {s}.environments ENABLE ALWAYS TRIGGER environments_notify_truncate;
        ALTER TABLE {s}.environments ENABLE ALWAYS TRIGGER environments_count;
        ALTER TABLE {s}.registries ENABLE ALWAYS TRIGGER registries_notify;
        ALTER TABLE {s}.registries ENABLE ALWAYS TRIGGER registries_notify_truncate;
        ALTER TABLE {s}.registries ENABLE ALWAYS TRIGGER registries_count;
        """;
}
