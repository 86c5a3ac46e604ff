namespace Registries.Core;

/// <summary>Says why an image reference could not be parsed; the kinds follow Docker's reference parser.</summary>
public enum ImageReferenceError
{
    /// <summary>The reference, or its repository name, is empty.</summary>
    NameEmpty,

    /// <summary>The reference does not follow the grammar <c>[registry[:port]/][namespace/]name[:tag][@digest]</c>.</summary>
    InvalidFormat,

    /// <summary>The repository name contains uppercase letters; Docker requires lowercase.</summary>
    NameContainsUppercase,

    /// <summary>The repository path (without the registry) is longer than 255 characters.</summary>
    NameTooLong,

    /// <summary>The tag does not match <c>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}</c>.</summary>
    TagInvalidFormat,

    /// <summary>The digest is not <c>algorithm:hex</c> with a supported algorithm and the right number of lowercase hex digits.</summary>
    DigestInvalidFormat,
}
