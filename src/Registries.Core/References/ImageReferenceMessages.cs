using System.Globalization;

namespace Registries.Core;

// The messages of refused image references: what is wrong, where, and the corrected reference when there is one.
// Only the throwing paths come here; every part of the input they show goes through EchoedInput.
internal static class ImageReferenceMessages
{
    public static string InvalidTag(string tag)
        => $"{Quote(tag)} is not a valid tag: a tag starts with a letter, digit or '_' and continues with letters, digits, '_', '.' or '-', at most {ReferenceGrammar.MaxTagLength} characters.";

    public static string InvalidDigest(string digest)
        => $"{Quote(digest)} is not a valid digest: give 'sha256:' followed by 64 lowercase hex digits (or sha384 with 96, sha512 with 128).";

    public static string Explain(ReadOnlySpan<char> s, ImageReferenceError error)
    {
        // The user info of a URL-like input may hold a password: it is found first, and no other part of the message
        // is built from the input as given.
        if (EchoedInput.TryFindUserInfo(s, digests: true, out var userStart, out var userAt))
        {
            return ExplainUserInfo(s, userStart, userAt);
        }

        var input = s.ToString();
        var problem = ImageReferenceParser.Analyze(s, out var parts, out var at);
        if (error == ImageReferenceError.NameContainsUppercase)
        {
            return ExplainUppercase(input, parts);
        }

        var quoted = Quote(input);
        return problem switch
        {
            ReferenceProblem.Empty => "The image reference is empty: give an image name such as 'ubuntu', 'ubuntu:22.04' or 'registry.example.com:5000/team/app:1.0'.",
            ReferenceProblem.ImageId => $"{quoted} is a 64-digit hexadecimal string, which Docker reads as an image ID, not a name: give the image's name, or pin it by digest as 'name@sha256:{input}'.",
            ReferenceProblem.NameTooLong => $"{quoted} has a repository path of {parts.PathLength} characters{(parts.LibraryPrefix ? " (with the 'library/' that Docker Hub adds)" : string.Empty)}: Docker allows at most {ReferenceGrammar.MaxPathLength}; shorten the name (the registry does not count).",
            ReferenceProblem.DigestUnsupportedAlgorithm => $"{quoted} has the digest algorithm {Quote(input.AsSpan(parts.DigestStart, parts.AlgorithmEnd - parts.DigestStart))}, which Docker cannot verify: use 'sha256:' with 64 lowercase hex digits (or sha384 with 96, sha512 with 128).",
            ReferenceProblem.DigestWrongLength => $"{quoted} has a {Quote(input.AsSpan(parts.DigestStart, parts.AlgorithmEnd - parts.DigestStart))} digest of {input.Length - parts.AlgorithmEnd - 1} hex digits: it must have exactly {ReferenceGrammar.ExpectedHexLength(input.AsSpan(parts.DigestStart, parts.AlgorithmEnd - parts.DigestStart))}; copy the whole digest.",
            ReferenceProblem.DigestUppercaseHex => $"{quoted} has uppercase hex digits in its digest: digests are lowercase, use {Quote(input[..parts.DigestStart] + input[parts.DigestStart..].ToLowerInvariant())}.",
            ReferenceProblem.DomainWithUnderscore => $"{quoted} starts with the registry {Quote(input.AsSpan(0, parts.Slash))}, which is not a valid host name ('_' is not allowed in host names): use the registry's real host name, or, for a Docker Hub repository, drop the '.' so it is not read as a registry.",
            ReferenceProblem.PortTooLarge => $"{quoted} has the registry port {Quote(input.AsSpan(at, parts.Slash - at))}, which is not a port number: use a port from 1 to 65535, for example 'registry.example.com:5000/app'.",
            _ => ExplainFormat(input, quoted, problem, parts, at),
        };
    }

    // "https://user:secret@host/app": shown as "https://***@host/app", with what to give instead.
    private static string ExplainUserInfo(ReadOnlySpan<char> s, int start, int at)
    {
        var shown = Quote(string.Concat(s[..start], EchoedInput.Redacted, s[at..]));
        var scheme = start > 0 ? $"the {Quote(s[..start])} and " : string.Empty;
        var rest = s[(at + 1)..];
        var advice = rest.IsEmpty ? "."
            : ImageReferenceParser.FindError(rest) is { } error ? ". Without it: " + Explain(rest, error)
            : $": use {Quote(rest)}.";
        return $"{shown} contains a user name or password before '@' (hidden here): an image reference carries no credentials, they belong to the registry's entry; remove {scheme}the part up to the '@'{advice}";
    }

    private static string ExplainFormat(string input, string quoted, ReferenceProblem problem, in ReferenceParts parts, int at)
    {
        var blank = input.AsSpan().IndexOfAny(" \t\r\n");
        if (blank >= 0)
        {
            return $"{quoted} contains a blank at position {blank + 1}: image references have no spaces; remove it{Suggest(WithoutInvisible(input))}.";
        }

        var scheme = input.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0)
        {
            return $"{quoted} starts with {Quote(input.AsSpan(0, scheme + 3))}: image references have no scheme; remove it{Suggest(input[(scheme + 3)..])}.";
        }

        var nonAscii = input.AsSpan().IndexOfAnyExceptInRange((char)0, (char)0x7f);
        if (nonAscii >= 0)
        {
            return $"{quoted} contains the non-ASCII character {Quote(input.AsSpan(nonAscii, char.IsHighSurrogate(input[nonAscii]) && nonAscii + 1 < input.Length && char.IsLowSurrogate(input[nonAscii + 1]) ? 2 : 1))} (U+{(char.IsHighSurrogate(input[nonAscii]) && nonAscii + 1 < input.Length && char.IsLowSurrogate(input[nonAscii + 1]) ? char.ConvertToUtf32(input[nonAscii], input[nonAscii + 1]) : input[nonAscii]):X4}) at position {nonAscii + 1}: Docker image references use ASCII letters, digits and '.', '_', '-', '/', ':', '@' only{Suggest(WithoutInvisible(input))}.";
        }

        var c = at < input.Length ? input[at] : '\0';
        var charText = at < input.Length ? $"{Quote([c])} at position {at + 1}" : "the end";
        return problem switch
        {
            ReferenceProblem.DomainInvalid => $"{quoted} starts with the registry {Quote(input.AsSpan(0, parts.Slash))}, which is not a valid host name: a host is made of letters, digits and '-' between dots, each part starting and ending with a letter or digit (found {charText}).",
            ReferenceProblem.PortInvalid => $"{quoted} has a registry port that is not a number ({charText}): write it as 'host:5000/name'.",
            ReferenceProblem.IPv6Invalid => $"{quoted} has an IPv6 registry that is not hex digits and ':' in brackets (found {charText}): write it as '[2001:db8::1]:5000/name', without a zone.",
            ReferenceProblem.ComponentEmpty when at == 0 || (at < input.Length && input[at] is ':' or '@' && (at == 0 || input[at - 1] == '/')) =>
                $"{quoted} has no repository name before {charText}: give a name such as {Quote("ubuntu" + (at < input.Length ? input[at..] : string.Empty))}.",
            ReferenceProblem.ComponentEmpty when at >= input.Length || input[at] == '/' => parts.Kind == DomainKind.Explicit && at == parts.Slash + 1 && at >= input.Length
                ? $"{quoted} names a registry but no repository: add the image name after the '/', for example {Quote(input + "app")}."
                : $"{quoted} has an empty path component ('//' or a '/' at the start or end): remove the extra '/'.",
            ReferenceProblem.ComponentEmpty or ReferenceProblem.SeparatorMisplaced =>
                $"{quoted} has a misplaced separator at position {at + 1}: in a repository name '.', '_', '__' and '-' may only stand between lowercase letters or digits.",
            ReferenceProblem.NameInvalidChar or ReferenceProblem.UnexpectedChar when problem == ReferenceProblem.NameInvalidChar || (at == parts.PathEnd && c is not ':' and not '@') => NoSlashLooksLikeRegistry(input, parts)
                ?? $"{quoted} contains {charText}, which is not allowed in a repository name: use lowercase letters, digits and the separators '.', '_', '__', '-', with '/' between path components.",
            ReferenceProblem.TagEmpty => $"{quoted} has an empty tag after ':': give a tag such as ':latest', or remove the ':'.",
            ReferenceProblem.TagTooLong => $"{quoted} has a tag of {parts.TagEnd - parts.TagStart} characters: a tag has at most {ReferenceGrammar.MaxTagLength}.",
            ReferenceProblem.TagInvalidChar => NoSlashLooksLikeRegistry(input, parts)
                ?? $"{quoted} has an invalid tag ({charText}): a tag starts with a letter, digit or '_' and continues with letters, digits, '_', '.' or '-' (at most {ReferenceGrammar.MaxTagLength} characters).",
            ReferenceProblem.DigestMalformed => $"{quoted} has a malformed digest after '@' ({charText}): a digest is 'sha256:' followed by 64 lowercase hex digits.",
            _ => NoSlashLooksLikeRegistry(input, parts)
                ?? $"{quoted} is not a valid image reference ({charText} is unexpected): the form is [registry[:port]/]name[:tag][@digest], for example 'registry.example.com:5000/team/app:1.0'.",
        };
    }

    // "localhost:5000" or "[::1]:5000" alone: a registry without a repository.
    private static string? NoSlashLooksLikeRegistry(string input, in ReferenceParts parts)
    {
        if (parts.Kind != DomainKind.NoSlash || ReferenceGrammar.ScanDomain<ReferenceGrammar.AsIs>(input, out _) != ReferenceProblem.None
            || input.IndexOfAny(['.', ':', '[']) < 0)
        {
            return null;
        }

        return $"{Quote(input)} looks like a registry address without a repository: add the image name after a '/', for example {Quote(input + "/app:1.0")}.";
    }

    private static string ExplainUppercase(string input, in ReferenceParts parts)
    {
        var quoted = Quote(input);
        var start = parts.RemainderStart;
        var region = ReferenceGrammar.UppercaseRegion(input, parts);
        var lowered = string.Concat(input.AsSpan(0, start), region.ToString().ToLowerInvariant(), input.AsSpan(start + region.Length));
        if (string.Equals(lowered, input, StringComparison.Ordinal))
        {
            // The uppercase letter is outside the remote name (Docker's second, whole-reference check).
            lowered = input.ToLowerInvariant();
        }

        if (ImageReferenceParser.TryParse(lowered, out _))
        {
            return $"{quoted} contains uppercase letters: image names are lowercase, use {Quote(lowered)}.";
        }

        // Docker also calls "uppercase" what only fails because of a letter such as U+212A KELVIN SIGN, which
        // lowercases to ASCII: name that letter, since it looks like its ASCII twin.
        var odd = input.AsSpan().IndexOfAny('\u0130', '\u212A');
        var letter = odd >= 0
            ? $" It contains the non-ASCII letter {Quote([input[odd]])} (U+{(int)input[odd]:X4}) at position {odd + 1}: type the ASCII letter '{ReferenceGrammar.Lowered.Map(input[odd])}' instead."
            : string.Empty;
        var rest = ImageReferenceParser.FindError(lowered) is { } error && error != ImageReferenceError.NameContainsUppercase ? " " + Explain(lowered, error) : string.Empty;
        return $"{quoted} contains uppercase letters: image names are lowercase (only the registry host and the tag may have uppercase letters).{letter}{rest}";
    }

    // The input without blanks and invisible format characters (bidirectional controls, zero-width characters).
    private static string WithoutInvisible(string input)
        => string.Concat(input.Where(c => !char.IsWhiteSpace(c) && char.GetUnicodeCategory(c) != UnicodeCategory.Format));

    private static string Suggest(string candidate)
        => ImageReferenceParser.TryParse(candidate, out _) ? $": use {Quote(candidate)}" : string.Empty;

    private static string Quote(ReadOnlySpan<char> text) => EchoedInput.Quote(text);
}
