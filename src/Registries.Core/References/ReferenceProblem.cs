namespace Registries.Core;

// What the grammar found wrong first; Explain turns it into a sentence, Classify into an ImageReferenceError.
internal enum ReferenceProblem : byte
{
    None,
    Empty,
    ImageId,
    UppercaseInName,
    DigestAlgorithmUppercase,
    DomainInvalid,
    DomainWithUnderscore,
    PortInvalid,
    PortTooLarge,
    IPv6Invalid,
    ComponentEmpty,
    SeparatorMisplaced,
    NameInvalidChar,
    TagEmpty,
    TagInvalidChar,
    TagTooLong,
    DigestMalformed,
    DigestUnsupportedAlgorithm,
    DigestWrongLength,
    DigestUppercaseHex,
    UnexpectedChar,
    NameTooLong,
}
