using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Registries.Core.Storage;

namespace Registries.Core.DataProtection;

/// <summary>An <see cref="ISecretProtector"/> over ASP.NET Core Data Protection, for applications that run several
/// instances: each instance decrypts what another wrote, through the key ring they share.</summary>
/// <remarks>
/// <para><b>Setup.</b> The application configures Data Protection itself, the same way on every instance:
/// <c>services.AddDataProtection().PersistKeysToFileSystem(sharedFolder).SetApplicationName("my-platform")</c> (or a
/// database, Redis or a key vault as the key ring). Every instance must use the same key ring <em>and</em> the same
/// application name: with another one, what one instance wrote does not decrypt on the other. Protect the key ring
/// at rest as well (<c>ProtectKeysWith*</c>), since it is what keeps the store's passwords secret.</para>
/// <para><b>Binding.</b> Each value is protected with the purpose <see cref="RootPurpose"/>, then
/// <see cref="SecretContext.Purpose"/> as sub-purpose, so it is bound to its entry: copied onto another entry, or into
/// another environment, it does not decrypt.</para>
/// <para><b>Rotation</b> is Data Protection's: a new default key encrypts new values, older keys keep decrypting
/// (until they are deleted from the key ring), and a revoked key no longer decrypts. After a rotation, the file store's
/// <c>ReprotectAsync</c> moves every entry to the new default key. A running instance learns of a key added or revoked
/// elsewhere when Data Protection refreshes its cached key ring (within a day by default; Data Protection creates its
/// own new keys two days before they are used, so that every instance knows them first): restart the instances to
/// apply a revocation at once.</para>
/// <para>Values are <c>dp1.</c> followed by the base64url payload of Data Protection. Failures are
/// <see cref="RegistryStoreException"/>s whose one-line message says what to fix, never the value. Thread-safe.</para>
/// </remarks>
public sealed class DataProtectionSecretProtector : ISecretProtector
{
    /// <summary>The root purpose of every value; the entry's <see cref="SecretContext.Purpose"/> is its sub-purpose.</summary>
    public const string RootPurpose = "Registries.Core.DataProtection.RegistryPassword";

    private const string ValuePrefix = "dp1.";
    private readonly IDataProtector _root;

    /// <summary>Initializes a protector over the application's Data Protection.</summary>
    /// <param name="provider">The provider the application configured (<c>AddDataProtection()</c>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="provider"/> is <see langword="null"/>.</exception>
    public DataProtectionSecretProtector(IDataProtectionProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        _root = provider.CreateProtector(RootPurpose);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="secret"/> or <paramref name="context"/> is <see langword="null"/>.</exception>
    public string Protect(RegistrySecret secret, SecretContext context)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(context);
        var plain = Encoding.UTF8.GetBytes(secret.Reveal());
        try
        {
            return ValuePrefix + Base64Url.EncodeToString(_root.CreateProtector(context.Purpose).Protect(plain));
        }
        catch (CryptographicException e)
        {
            throw new RegistryStoreException($"ASP.NET Core Data Protection could not protect the password of entry {context}: {OneLine(e)}. Check that its key ring is configured and writable (PersistKeysTo..., SetApplicationName) on every instance.", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="protectedValue"/> or <paramref name="context"/> is <see langword="null"/>.</exception>
    public RegistrySecret Unprotect(string protectedValue, SecretContext context)
    {
        ArgumentNullException.ThrowIfNull(protectedValue);
        ArgumentNullException.ThrowIfNull(context);
        if (!protectedValue.StartsWith(ValuePrefix, StringComparison.Ordinal))
        {
            throw new RegistryStoreException($"The protected password of entry {context} was not written by the Data Protection protector ('{ValuePrefix}...'): the store was written with another protector (a key file?). Use that protector, or copy the store with passwords re-protected for this one.");
        }

        byte[] payload;
        try
        {
            payload = Base64Url.DecodeFromChars(protectedValue.AsSpan(ValuePrefix.Length));
        }
        catch (FormatException e)
        {
            throw new RegistryStoreException($"The protected password of entry {context} is damaged (not base64url); restore the store from a backup, or edit the entry to enter its password again.", e);
        }

        var protector = _root.CreateProtector(context.Purpose);
        byte[] plain;
        try
        {
            if (protector is IPersistedDataProtector persisted)
            {
                // Told apart, so that the message says what to fix: a revoked key is refused all the same.
                plain = persisted.DangerousUnprotect(payload, ignoreRevocationErrors: true, out _, out var revoked);
                if (revoked)
                {
                    CryptographicOperations.ZeroMemory(plain);
                    throw new RegistryStoreException($"The password of entry {context} was protected with a Data Protection key that has been revoked: enter the password again (edit the entry); a revoked key never decrypts again.");
                }
            }
            else
            {
                plain = protector.Unprotect(payload);
            }
        }
        catch (CryptographicException e)
        {
            throw new RegistryStoreException($"The password of entry {context} could not be decrypted by ASP.NET Core Data Protection ({OneLine(e)}): every instance must share one key ring and one application name (SetApplicationName), the key must still be in the ring, and the value must not have been copied from another entry or changed.", e);
        }

        try
        {
            return new RegistrySecret(Encoding.UTF8.GetString(plain));
        }
        catch (ArgumentException e)
        {
            throw new RegistryStoreException($"The protected password of entry {context} decrypted to an empty password; the store was changed or corrupted.", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    // Data Protection's own messages name keys and causes, never the payload; one line of them.
    private static string OneLine(CryptographicException e) => e.Message.ReplaceLineEndings(" ").TrimEnd('.', ' ');
}
