namespace Registries.Core.Interop;

/// <summary>Hides the user-info part (<c>user:password@</c>) of an address-like text before it is shown anywhere.</summary>
/// <remarks>
/// A config key such as <c>https://user:pw@registry.example.com</c> carries a credential in the address itself. The
/// password may hold '/', ':' or '@', so everything up to the last '@' (after the scheme) is hidden: over-hiding a
/// host is better than showing part of a password.
/// </remarks>
internal static class UserInfo
{
    /// <summary>The replacement for the hidden part.</summary>
    public const string Placeholder = "***";

    /// <summary>Tells whether a text carries a user-info part.</summary>
    public static bool Has(string text) => text.Contains('@', StringComparison.Ordinal);

    /// <summary>Returns the text with everything between the scheme (if any) and the last '@' replaced by <c>***</c>.</summary>
    public static string Redact(string text)
    {
        var at = text.LastIndexOf('@');
        if (at < 0)
        {
            return text;
        }

        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        var start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
        return string.Concat(text.AsSpan(0, start), Placeholder, text.AsSpan(at));
    }
}
