using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Registries.Core.Storage;

namespace Registries.Core.PostgreSql;

// Key rotation: moving every stored password to the protector's current key, and telling which keys are still in use.
public sealed partial class PostgreSqlRegistryStore
{
    /// <summary>How many entries one re-protect transaction rewrites at most.</summary>
    internal const int DefaultReprotectBatchSize = 200;

    // An entry edited by another writer between the read and the write is read again; this many times at most.
    private const int ReprotectAttempts = 10;

    /// <summary>Gets or sets how many entries one re-protect transaction rewrites (tests make it small).</summary>
    internal int ReprotectBatchSize { get; set; } = DefaultReprotectBatchSize;

    /// <summary>Protects every stored password anew with the store's protector (its current key), in bounded batches.</summary>
    /// <remarks>
    /// <para>The step after a key rotation (<c>KeyFileSecretProtector.RotateKeyAsync</c>, or a new default key of
    /// ASP.NET Core Data Protection): every entry that holds a secret (a password or a refresh token: every entry not
    /// Removed, but for credential-helper and kubelet-plugin entries, which hold none) gets a value protected
    /// now, bound to its entry (<see cref="SecretContext"/>), so that no value is left with an older key and the older
    /// keys can be removed. The password itself never changes, and neither do versions, states or the order: a writer
    /// that read an entry before the re-protect writes it afterwards without a conflict.</para>
    /// <para>The entries are read in their store order, at most 200 at a time, and each batch is written in one
    /// transaction. Each write names the protected value it read (<c>UPDATE ... WHERE protected_password = @read</c>):
    /// an entry that another writer changed meanwhile is not overwritten but read again and re-protected, up to ten
    /// times. A failure in the middle (the server stops, a value cannot be decrypted, the token is cancelled) leaves the
    /// committed batches under the new key and the others under the old one: every entry stays decryptable as long as
    /// the key file keeps both keys, and running it again finishes the work. Every value is protected anew, whatever
    /// key it names (the store cannot tell which key a protector's value names), so the count is that of every entry
    /// that holds a password.</para>
    /// <para>Writers that protect a password protect it with the newest key, so nothing needs to stop while this runs;
    /// with the resolution cache on, every instance forgets the entries that were rewritten (the trigger notifies).</para>
    /// </remarks>
    /// <param name="cancellationToken">Cancels between batches or inside one (the batch is then rolled back).</param>
    /// <returns>How many entries got a new protected value.</returns>
    /// <exception cref="RegistryStoreException">The server failed, a stored password cannot be decrypted (the message
    /// names the entry), or entries kept changing under concurrent writers for ten attempts (run it again).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<int> ReprotectAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var moved = 0;
        var after = 0L;
        while (true)
        {
            var batch = await ReadProtectedAsync(nameof(ReprotectAsync), _sql.SelectProtectedBatch, command =>
            {
                command.Parameters.Add(new NpgsqlParameter("after", after));
                command.Parameters.Add(new NpgsqlParameter("limit", ReprotectBatchSize));
            }, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                return moved;
            }

            after = batch[^1].Sequence;
            moved += await ReprotectBatchAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Returns every protected password the store holds (one per entry that is not Removed), in store order.</summary>
    /// <remarks>These are the protector's values, never a password: what <c>KeyFileSecretProtector.RemoveKeyAsync</c>
    /// takes to check that no entry still uses a key, and what <c>KeyFileSecretProtector.GetKeyId</c> reads a key id
    /// from. After <see cref="ReprotectAsync"/> every value names the newest key. A value written by a writer that
    /// protected its password before a rotation and committed after this list was read can name the old key: remove a
    /// key only once no writer still runs with a password protected before the rotation (in practice, seconds).</remarks>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The protected values.</returns>
    /// <exception cref="RegistryStoreException">The server failed (the message says what to fix).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<IReadOnlyList<string>> ListProtectedPasswordsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await RunAsync<IReadOnlyList<string>>(nameof(ListProtectedPasswordsAsync), async (connection, ct) =>
        {
            using var command = Command(connection, _sql.SelectProtectedPasswords);
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            var values = new List<string>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                values.Add(reader.GetString(0));
            }

            return values;
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> ReprotectBatchAsync(IReadOnlyList<ProtectedRow> rows, CancellationToken cancellationToken)
    {
        var moved = 0;
        for (var attempt = 1; rows.Count > 0; attempt++)
        {
            if (attempt > ReprotectAttempts)
            {
                throw new RegistryStoreException(string.Create(CultureInfo.InvariantCulture, $"{rows.Count} registry entr{(rows.Count == 1 ? "y" : "ies")} in schema '{Schema}' of database '{Database}' on {Server} (first '{rows[0].Id}') changed under other writers {ReprotectAttempts} times while being re-protected; the others were re-protected. Run the re-protect again."));
            }

            // Decrypted and protected before the transaction: it holds no row lock while the protector works.
            var rewritten = rows.Select(row => (Row: row, Value: Reprotected(row))).ToList();
            var changed = await RunAsync(nameof(ReprotectAsync), async (connection, ct) =>
            {
                var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                await using var transactionScope = transaction.ConfigureAwait(false);
                var skipped = new List<string>();
                foreach (var (row, value) in rewritten)
                {
                    using var command = Command(connection, _sql.ReprotectRegistry);
                    command.Transaction = transaction;
                    command.Parameters.Add(new NpgsqlParameter("id", row.Id));
                    command.Parameters.Add(new NpgsqlParameter("password", NpgsqlDbType.Text) { Value = value });
                    command.Parameters.Add(new NpgsqlParameter("read", NpgsqlDbType.Text) { Value = row.ProtectedPassword });
                    if (await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 0)
                    {
                        skipped.Add(row.Id);
                    }
                }

                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return skipped;
            }, cancellationToken).ConfigureAwait(false);
            moved += rewritten.Count - changed.Count;
            if (changed.Count == 0)
            {
                break;
            }

            // Changed by another writer (edited, or removed: then it holds no password and drops out): read again.
            rows = await ReadProtectedAsync(nameof(ReprotectAsync), _sql.SelectProtectedByIds, command =>
                command.Parameters.Add(new NpgsqlParameter("ids", changed.ToArray())), cancellationToken).ConfigureAwait(false);
        }

        return moved;
    }

    private string Reprotected(ProtectedRow row)
    {
        var context = new SecretContext(row.EnvironmentId, row.Id);
        RegistrySecret secret;
        try
        {
            secret = _protector.Unprotect(row.ProtectedPassword, context);
        }
        catch (RegistryStoreException e)
        {
            throw new RegistryStoreException($"The registry entry '{row.Id}' in schema '{Schema}' of database '{Database}' on {Server} holds a password that cannot be decrypted, so it cannot be re-protected (entries re-protected so far keep their new value, the others their old one): {e.Message}", e);
        }

        return _protector.Protect(secret, context);
    }

    private async Task<IReadOnlyList<ProtectedRow>> ReadProtectedAsync(string operation, string sql, Action<NpgsqlCommand> parameters, CancellationToken cancellationToken)
        => await RunAsync<IReadOnlyList<ProtectedRow>>(operation, async (connection, ct) =>
        {
            using var command = Command(connection, sql);
            parameters(command);
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            var rows = new List<ProtectedRow>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                rows.Add(new ProtectedRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3)));
            }

            return rows;
        }, cancellationToken).ConfigureAwait(false);

    // A class, not a positional record: a generated ToString has no business near a protected value.
    private sealed class ProtectedRow(string id, string environmentId, long sequence, string protectedPassword)
    {
        public string Id { get; } = id;

        public string EnvironmentId { get; } = environmentId;

        public long Sequence { get; } = sequence;

        public string ProtectedPassword { get; } = protectedPassword;
    }
}
