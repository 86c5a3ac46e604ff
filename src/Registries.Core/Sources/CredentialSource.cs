namespace Registries.Core;

/// <summary>Where an entry's credential comes from: <see cref="Stored"/>, a Docker credential helper, a kubelet
/// credential provider plugin, or an identity token (see <see cref="CredentialSourceKind"/>).</summary>
/// <remarks>
/// <para>A source holds no secret and no path: a helper or plugin is named, and the operator decides which names may
/// run and where their programs are (see the sources an application registers, <see cref="Sources.ICredentialSource"/>). Names are 1 to 64 characters of
/// letters, digits, '.', '_' and '-', starting with a letter or digit (<c>ecr-login</c> runs
/// <c>docker-credential-ecr-login</c>).</para>
/// <para>Immutable; equal when the kind and the name are equal. <see cref="ToString"/> is the text form
/// (<c>stored</c>, <c>identity-token</c>, <c>credential-helper:NAME</c>, <c>kubelet-plugin:NAME</c>) that
/// <see cref="Parse"/> reads back.</para>
/// </remarks>
public sealed class CredentialSource : IEquatable<CredentialSource>
{
    private const int MaxNameLength = 64;

    private CredentialSource(CredentialSourceKind kind, string? name)
    {
        Kind = kind;
        Name = name;
    }

    /// <summary>Gets the source of a credential stored with its entry: a username and a password.</summary>
    public static CredentialSource Stored { get; } = new(CredentialSourceKind.Stored, null);

    /// <summary>Gets the source of a credential that is an OAuth2 refresh token stored with its entry.</summary>
    public static CredentialSource IdentityToken { get; } = new(CredentialSourceKind.IdentityToken, null);

    /// <summary>Gets the kind.</summary>
    public CredentialSourceKind Kind { get; }

    /// <summary>Gets the helper's or plugin's name, or <see langword="null"/> for <see cref="CredentialSourceKind.Stored"/>
    /// and <see cref="CredentialSourceKind.IdentityToken"/>.</summary>
    public string? Name { get; }

    /// <summary>Gets a value indicating whether the entry stores a secret of its own: a password (Stored) or a refresh token
    /// (IdentityToken). A helper or a plugin keeps its secrets itself.</summary>
    public bool HasStoredSecret => Kind is CredentialSourceKind.Stored or CredentialSourceKind.IdentityToken;

    /// <summary>Gets a value indicating whether the credential is fetched when an image is resolved (every kind but Stored).</summary>
    public bool IsFetched => Kind != CredentialSourceKind.Stored;

    /// <summary>Gets the kind's name as the CLI and the HTTP API spell it: <c>stored</c>, <c>credential-helper</c>,
    /// <c>kubelet-plugin</c> or <c>identity-token</c>.</summary>
    public string KindName => NameOf(Kind);

    /// <summary>Returns the source of a Docker credential helper, <c>docker-credential-NAME</c>.</summary>
    /// <param name="name">The helper's name, for example <c>ecr-login</c> or <c>pass</c>.</param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentException">The name is empty or not a helper name (the message says why).</exception>
    public static CredentialSource CredentialHelper(string name) => new(CredentialSourceKind.CredentialHelper, CheckName(name, "credential helper"));

    /// <summary>Returns the source of a kubelet credential provider plugin named in the operator's configuration.</summary>
    /// <param name="name">The plugin's name, as its <c>CredentialProviderConfig</c> entry has it, for example <c>ecr-credential-provider</c>.</param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentException">The name is empty or not a plugin name (the message says why).</exception>
    public static CredentialSource KubeletPlugin(string name) => new(CredentialSourceKind.KubeletPlugin, CheckName(name, "kubelet plugin"));

    /// <summary>Returns the source of a kind and a name, as a store reads them back.</summary>
    /// <param name="kind">The kind.</param>
    /// <param name="name">The name, required for a helper or a plugin and <see langword="null"/> otherwise.</param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentException">The kind is unknown, or the name is missing, not allowed or malformed.</exception>
    public static CredentialSource Of(CredentialSourceKind kind, string? name) => kind switch
    {
        CredentialSourceKind.Stored when name is null => Stored,
        CredentialSourceKind.IdentityToken when name is null => IdentityToken,
        CredentialSourceKind.CredentialHelper => CredentialHelper(name!),
        CredentialSourceKind.KubeletPlugin => KubeletPlugin(name!),
        CredentialSourceKind.Stored or CredentialSourceKind.IdentityToken => throw new ArgumentException($"A {NameOf(kind)} source has no name.", nameof(name)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown credential source kind."),
    };

    /// <summary>Reads the text form: <c>stored</c>, <c>identity-token</c>, <c>credential-helper:NAME</c> or <c>kubelet-plugin:NAME</c>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The source.</returns>
    /// <exception cref="FormatException">The text is not one of these forms (the message says which are).</exception>
    public static CredentialSource Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kindText = colon < 0 ? text : text[..colon];
        var name = colon < 0 ? null : text[(colon + 1)..];
        CredentialSourceKind? kind = kindText switch
        {
            "stored" => CredentialSourceKind.Stored,
            "identity-token" => CredentialSourceKind.IdentityToken,
            "credential-helper" => CredentialSourceKind.CredentialHelper,
            "kubelet-plugin" => CredentialSourceKind.KubeletPlugin,
            _ => null,
        };
        try
        {
            return kind is null ? throw new ArgumentException("unknown kind") : Of(kind.Value, name);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"'{Printable(text)}' is not a credential source: give stored, identity-token, credential-helper:NAME or kubelet-plugin:NAME.", ex);
        }
    }

    /// <summary>Returns the name of a kind as the CLI and the HTTP API spell it.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns><c>stored</c>, <c>credential-helper</c>, <c>kubelet-plugin</c> or <c>identity-token</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The kind is unknown.</exception>
    public static string NameOf(CredentialSourceKind kind) => kind switch
    {
        CredentialSourceKind.Stored => "stored",
        CredentialSourceKind.CredentialHelper => "credential-helper",
        CredentialSourceKind.KubeletPlugin => "kubelet-plugin",
        CredentialSourceKind.IdentityToken => "identity-token",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown credential source kind."),
    };

    /// <summary>Tells whether a name may name a helper or a plugin.</summary>
    /// <param name="name">The name.</param>
    /// <returns><see langword="true"/> when it is 1 to 64 letters, digits, '.', '_' and '-', starting with a letter or digit.</returns>
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || !char.IsAsciiLetterOrDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return !name.Contains("..", StringComparison.Ordinal);
    }

    /// <inheritdoc/>
    public bool Equals(CredentialSource? other) => other is not null && Kind == other.Kind && string.Equals(Name, other.Name, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as CredentialSource);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, Name is null ? 0 : StringComparer.Ordinal.GetHashCode(Name));

    /// <inheritdoc/>
    public override string ToString() => Name is null ? KindName : $"{KindName}:{Name}";

    private static string CheckName(string name, string what)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException($"A {what} name is required, for example 'ecr-login'.", nameof(name));
        }

        if (!IsValidName(name))
        {
            throw new ArgumentException(
                $"'{Printable(name)}' is not a {what} name: use 1 to {MaxNameLength} letters, digits, '.', '_' and '-', starting with a letter or digit (a name, never a path).",
                nameof(name));
        }

        return name;
    }

    // Echoes hostile input safely: control characters become '?', and long text is cut.
    private static string Printable(string text)
    {
        var cut = text.Length > 80 ? text[..80] + "..." : text;
        return string.Create(cut.Length, cut, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? '?' : s[i];
            }
        });
    }
}
