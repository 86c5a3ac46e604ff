using System.Diagnostics.CodeAnalysis;

namespace Registries.Core;

// The image reference parser: Docker's ParseNormalizedNamed (github.com/distribution/reference) over a span.
// A refusal allocates nothing; ImageReferenceFailure classifies and explains it only when Parse throws.
internal static class ImageReferenceParser
{
    // The answer for Parse: the reference, or a failure that becomes the explained exception.
    public static ParseResult<ImageReference, ImageReferenceFailure> Parse(ReadOnlySpan<char> s)
        => TryParse(s, out var result)
            ? ParseResult<ImageReference, ImageReferenceFailure>.ForValue(result)
            : ParseResult<ImageReference, ImageReferenceFailure>.ForFailure(s, default);

    // The answer for TryParse, the hot path: yes or no, without a result around it. The JIT inlines the whole grammar
    // here and had no budget left to inline the result's constructor: through Parse(s).TryGetValue, a TryParse took
    // 5 to 15 % longer (the parse benchmarks run side by side with the code before the split, in one process).
    public static bool TryParse(ReadOnlySpan<char> s, [NotNullWhen(true)] out ImageReference? result)
    {
        if (Analyze(s, out var parts, out _) != ReferenceProblem.None)
        {
            result = null;
            return false;
        }

        result = Build(s, parts);
        return true;
    }

    // The error Docker reports for the input, or null when it is a valid reference.
    public static ImageReferenceError? FindError(ReadOnlySpan<char> s)
    {
        var problem = Analyze(s, out var parts, out _);
        return problem == ReferenceProblem.None ? null : Classify(s, problem, parts);
    }

    // The first problem the grammar finds, with the positions it found; the messages run it again to explain it.
    public static ReferenceProblem Analyze(ReadOnlySpan<char> s, out ReferenceParts parts, out int at)
    {
        if (s.IsEmpty)
        {
            parts = default;
            at = 0;
            return ReferenceProblem.Empty;
        }

        ReferenceGrammar.Split(s, out parts);
        var problem = ReferenceGrammar.Scan<ReferenceGrammar.AsIs>(s, ref parts, out at);
        return problem != ReferenceProblem.None ? problem : ReferenceGrammar.Validate(s, parts, out at);
    }

    // Maps the first problem to the error Docker reports, in Docker's order: uppercase in the remote name first, then
    // the grammar (where a reference that only fails because of uppercase letters is again "uppercase").
    private static ImageReferenceError Classify(ReadOnlySpan<char> s, ReferenceProblem problem, in ReferenceParts parts)
    {
        switch (problem)
        {
            case ReferenceProblem.Empty:
                return ImageReferenceError.NameEmpty;
            case ReferenceProblem.ImageId:
            case ReferenceProblem.DomainWithUnderscore:
            case ReferenceProblem.PortTooLarge:
                return ImageReferenceError.InvalidFormat;
            case ReferenceProblem.NameTooLong:
                return ImageReferenceError.NameTooLong;
            case ReferenceProblem.DigestUnsupportedAlgorithm:
            case ReferenceProblem.DigestWrongLength:
            case ReferenceProblem.DigestUppercaseHex:
                return ImageReferenceError.DigestInvalidFormat;
            case ReferenceProblem.DigestAlgorithmUppercase:
                // Found after the grammar matched: the digest algorithm lies inside Docker's uppercase check.
                return ImageReferenceError.NameContainsUppercase;
            default:
                break;
        }

        if (ReferenceGrammar.HasUppercase(ReferenceGrammar.UppercaseRegion(s, parts)))
        {
            return ImageReferenceError.NameContainsUppercase;
        }

        var lowered = parts;
        lowered.TagStart = lowered.TagEnd = lowered.DigestStart = lowered.AlgorithmEnd = -1;
        return ReferenceGrammar.Scan<ReferenceGrammar.Lowered>(s, ref lowered, out _) == ReferenceProblem.None
            ? ImageReferenceError.NameContainsUppercase
            : ImageReferenceError.InvalidFormat;
    }

    private static ImageReference Build(ReadOnlySpan<char> s, in ReferenceParts parts)
    {
        var registry = parts.IsDockerHub ? RegistryAddress.DockerHub : RegistryAddressCache.GetOrAdd(s[..parts.Slash]);
        return ImageReference.FromParts(
            registry,
            s[parts.PathStart..parts.PathEnd],
            parts.LibraryPrefix,
            parts.HasTag ? s[parts.TagStart..parts.TagEnd] : default,
            parts.HasDigest ? s[parts.DigestStart..] : default);
    }
}
