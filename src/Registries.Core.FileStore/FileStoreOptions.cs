namespace Registries.Core.FileStore;

/// <summary>Where the file store keeps its file and its key, and how long a write waits for another process.</summary>
/// <remarks>
/// <para>With dependency injection, set them in <c>UseFileStore(o =&gt; ...)</c> (or bind them from configuration
/// and call <c>UseFileStore()</c>); they are checked when the application starts. Without it, pass
/// <c>Options.Create(new FileStoreOptions { ... })</c> to <see cref="FileRegistryStore"/>, whose constructor applies
/// the same checks and throws <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> with the same
/// messages.</para>
/// <para>The checks look only at the values: whether the path names a folder, a pipe or another user's file is found
/// out on the first read or write, which fails with a <see cref="RegistryStoreException"/> that says how to fix it.</para>
/// </remarks>
public sealed class FileStoreOptions
{
    /// <summary>The lock timeout used when none is set.</summary>
    internal static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the store file, for example <c>/var/lib/registries/registries.json</c>.</summary>
    /// <remarks>Required. A relative path is taken from the current folder when the store is created. The file and its
    /// folder are created on the first write; next to it live <c>FILE.lock</c> and, by default, the key file.</remarks>
    public string? Path { get; set; }

    /// <summary>Gets or sets the key file of the default protector (<see cref="KeyFileSecretProtector"/>), or
    /// <see langword="null"/> (the default) for <c><see cref="Path"/>.key</c>.</summary>
    /// <remarks>Used by <c>UseFileStore</c> and <see cref="FileRegistryStore.Open(string)"/> to create the protector;
    /// ignored when the application registers its own <see cref="Storage.ISecretProtector"/>. Keep it with the store (without it
    /// the passwords cannot be read), or apart from the store's backups on purpose.</remarks>
    public string? KeyPath { get; set; }

    /// <summary>Gets or sets how long a write waits for a lock that another process holds before it fails (30 seconds by default).</summary>
    /// <remarks>Only a lock held by another writer is waited for; a file system that refuses the write fails at once.</remarks>
    public TimeSpan LockTimeout { get; set; } = DefaultLockTimeout;

    /// <summary>Returns the full path of the key file these options name: <see cref="KeyPath"/>, or the store file's path plus <c>.key</c>.</summary>
    /// <returns>The full path.</returns>
    internal string FullKeyPath()
        => System.IO.Path.GetFullPath(KeyPath ?? System.IO.Path.GetFullPath(Path!) + ".key");
}
