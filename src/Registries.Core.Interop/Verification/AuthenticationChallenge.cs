namespace Registries.Core.Interop;

/// <summary>One <c>WWW-Authenticate</c> challenge (RFC 7235): a scheme and its auth-params.</summary>
internal sealed class AuthenticationChallenge
{
    private AuthenticationChallenge(string scheme, IReadOnlyDictionary<string, string> parameters)
    {
        Scheme = scheme;
        Parameters = parameters;
    }

    public string Scheme { get; }

    public IReadOnlyDictionary<string, string> Parameters { get; }

    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    public string? this[string name] => Parameters.TryGetValue(name, out var value) ? value : null;

    /// <summary>Parses one header value such as <c>Bearer realm="https://auth/token",service="registry",scope="a b"</c>.</summary>
    public static AuthenticationChallenge? Parse(string headerValue)
    {
        var text = headerValue.AsSpan().Trim();
        var space = text.IndexOfAny(' ', '\t');
        var scheme = (space < 0 ? text : text[..space]).ToString();
        if (scheme.Length == 0)
        {
            return null;
        }

        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var rest = space < 0 ? [] : text[(space + 1)..].Trim();
        if (IsToken68(rest))
        {
            return new AuthenticationChallenge(scheme, parameters);
        }

        var i = 0;
        while (i < rest.Length)
        {
            while (i < rest.Length && (rest[i] == ',' || char.IsWhiteSpace(rest[i])))
            {
                i++;
            }

            var nameStart = i;
            while (i < rest.Length && rest[i] != '=' && rest[i] != ',' && !char.IsWhiteSpace(rest[i]))
            {
                i++;
            }

            var name = rest[nameStart..i].ToString();
            while (i < rest.Length && char.IsWhiteSpace(rest[i]))
            {
                i++;
            }

            if (i >= rest.Length || rest[i] != '=')
            {
                // A token68 or a bare word: no parameter to keep.
                continue;
            }

            i++;
            while (i < rest.Length && char.IsWhiteSpace(rest[i]))
            {
                i++;
            }

            string value;
            if (i < rest.Length && rest[i] == '"')
            {
                var builder = new System.Text.StringBuilder();
                i++;
                while (i < rest.Length && rest[i] != '"')
                {
                    if (rest[i] == '\\' && i + 1 < rest.Length)
                    {
                        i++;
                    }

                    builder.Append(rest[i]);
                    i++;
                }

                i++;
                value = builder.ToString();
            }
            else
            {
                var valueStart = i;
                while (i < rest.Length && rest[i] != ',' && !char.IsWhiteSpace(rest[i]))
                {
                    i++;
                }

                value = rest[valueStart..i].ToString();
            }

            if (name.Length > 0)
            {
                parameters[name] = value;
            }
        }

        return new AuthenticationChallenge(scheme, parameters);
    }

    // RFC 7235 token68: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=", used instead of auth-params.
    private static bool IsToken68(ReadOnlySpan<char> text)
    {
        var end = text.Length;
        while (end > 0 && text[end - 1] == '=')
        {
            end--;
        }

        if (end == 0)
        {
            return false;
        }

        foreach (var c in text[..end])
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '.' or '_' or '~' or '+' or '/'))
            {
                return false;
            }
        }

        // An auth-param (name=value) has '=' before its end, or quotes: never a token68.
        return true;
    }
}
