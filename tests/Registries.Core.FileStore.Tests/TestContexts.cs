namespace Registries.Core.FileStore.Tests;

/// <summary>Entries that protected passwords are bound to, for the tests that call a protector directly.</summary>
internal static class TestContexts
{
    /// <summary>Gets an entry.</summary>
    public static SecretContext Entry { get; } = new("1a1", "1r2");

    /// <summary>Gets another entry of the same environment.</summary>
    public static SecretContext OtherEntry { get; } = new("1a1", "1r3");

    /// <summary>Gets the entry with the same id in another environment.</summary>
    public static SecretContext OtherEnvironment { get; } = new("1a9", "1r2");
}
