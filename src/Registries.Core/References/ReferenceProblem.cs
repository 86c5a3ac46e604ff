namespace Registries.Core;

// What the reference grammar found wrong first.
// ImageReferenceMessages turns it into a sentence, ImageReferenceParser into the error Docker would report.
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
