using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Registries.Core;

/// <summary>How a mirror names an image: a regular expression over the repository path and its replacement, as k3s
/// and RKE2 rewrite (<c>^library/(.*)</c> to <c>dockerhub/library/$1</c>).</summary>
/// <remarks>
/// <para>The expression is matched against the repository path alone (<c>library/alpine</c>, never the host, the tag
/// or the digest), with RE2 semantics as Go reads it in k3s: linear time, no backreferences or lookaround. A path it
/// does not match keeps its name on the mirror. The replacement refers to groups as <c>$1</c> or <c>${1}</c>
/// (<c>${name}</c> for a named group); <c>$$</c> is a dollar sign.</para>
/// <para>A rewritten path that is not a valid repository path makes the mirror skip that image (with a reason).
/// Immutable; two rewrites are equal when their expressions and replacements are.</para>
/// </remarks>
public sealed class MirrorRewrite : IEquatable<MirrorRewrite>
{
    private const int MaxLength = 1024;
    private readonly Regex _regex;

    private MirrorRewrite(string pattern, string replacement, Regex regex)
    {
        Pattern = pattern;
        Replacement = replacement;
        _regex = regex;
    }

    /// <summary>Gets the regular expression, as given.</summary>
    public string Pattern { get; }

    /// <summary>Gets the replacement, as given.</summary>
    public string Replacement { get; }

    /// <summary>Parses a rewrite.</summary>
    /// <param name="pattern">The regular expression over the repository path.</param>
    /// <param name="replacement">The replacement.</param>
    /// <returns>The rewrite.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="RegistryRuleException">The expression or the replacement is not valid; the message says how to fix it.</exception>
    public static MirrorRewrite Parse(string pattern, string replacement)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(replacement);
        if (pattern.Length == 0 || pattern.Length > MaxLength || replacement.Length > MaxLength)
        {
            throw new RegistryRuleException($"A rewrite's expression must be 1 to {MaxLength} characters and its replacement at most {MaxLength}.");
        }

        if (pattern.Any(char.IsControl) || replacement.Any(char.IsControl))
        {
            throw new RegistryRuleException("A rewrite's expression and replacement may not hold control characters (a newline, a tab): give them on one line.");
        }

        Regex regex;
        try
        {
            regex = new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (NotSupportedException)
        {
            throw new RegistryRuleException($"The rewrite expression {EchoedInput.Quote(pattern)} uses a construct k3s and containerd's RE2 cannot run (a backreference, lookaround or atomic group): write it without one.");
        }
        catch (ArgumentException e)
        {
            throw new RegistryRuleException($"The rewrite expression {EchoedInput.Quote(pattern)} is not a valid regular expression: {e.Message.TrimEnd('.')}.");
        }

        if (!TryCheckReplacement(replacement, regex, out var problem))
        {
            throw new RegistryRuleException($"The rewrite replacement {EchoedInput.Quote(replacement)} is not valid: {problem}.");
        }

        return new MirrorRewrite(pattern, replacement, regex);
    }

    /// <summary>Rewrites a repository path.</summary>
    /// <param name="repository">The repository path on the upstream (<c>library/alpine</c>).</param>
    /// <param name="rewritten">The path on the mirror (unchanged when the expression does not match).</param>
    /// <returns><see langword="false"/> when the rewritten path is not a valid repository path.</returns>
    public bool TryApply(string repository, [NotNullWhen(true)] out string? rewritten)
    {
        ArgumentNullException.ThrowIfNull(repository);
        string result;
        try
        {
            result = _regex.Replace(repository, Replacement, 1);
        }
        catch (RegexMatchTimeoutException)
        {
            rewritten = null;
            return false;
        }

        if (result.Length == 0 || result.Length > 255 || !RegistryScope.TryValidatePath(result, out _))
        {
            rewritten = null;
            return false;
        }

        rewritten = result;
        return true;
    }

    // Go's regexp reads "$1x" as the group named "1x"; .NET as group 1 then "x". Only forms both read alike are taken.
    private static bool TryCheckReplacement(string replacement, Regex regex, [NotNullWhen(false)] out string? problem)
    {
        var groups = regex.GetGroupNames().ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < replacement.Length; i++)
        {
            if (replacement[i] != '$')
            {
                continue;
            }

            if (i + 1 < replacement.Length && replacement[i + 1] == '$')
            {
                i++;
                continue;
            }

            string name;
            if (i + 1 < replacement.Length && replacement[i + 1] == '{')
            {
                var end = replacement.IndexOf('}', i + 2);
                if (end < 0)
                {
                    problem = "a '${' has no closing '}'";
                    return false;
                }

                name = replacement[(i + 2)..end];
                i = end;
            }
            else
            {
                var start = i + 1;
                var end = start;
                while (end < replacement.Length && char.IsAsciiDigit(replacement[end]))
                {
                    end++;
                }

                if (end == start)
                {
                    problem = "a '$' must be followed by a group number ('$1'), a braced group ('${1}', '${name}') or another '$'";
                    return false;
                }

                if (end < replacement.Length && (char.IsAsciiLetterOrDigit(replacement[end]) || replacement[end] == '_'))
                {
                    problem = $"'{replacement[i..(end + 1)]}' is read differently by k3s (Go) and here: write '${{{replacement[start..end]}}}{replacement[end]}'";
                    return false;
                }

                name = replacement[start..end];
                i = end - 1;
            }

            if (!groups.Contains(name))
            {
                problem = $"the expression has no group '{name}'";
                return false;
            }
        }

        problem = null;
        return true;
    }

    /// <inheritdoc/>
    public bool Equals([NotNullWhen(true)] MirrorRewrite? other)
        => other is not null && string.Equals(Pattern, other.Pattern, StringComparison.Ordinal) && string.Equals(Replacement, other.Replacement, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as MirrorRewrite);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(string.GetHashCode(Pattern, StringComparison.Ordinal), string.GetHashCode(Replacement, StringComparison.Ordinal));

    /// <inheritdoc/>
    public override string ToString() => $"{Pattern} -> {Replacement}";
}
