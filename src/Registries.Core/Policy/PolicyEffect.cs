namespace Registries.Core;

/// <summary>What a <see cref="PolicyRule"/> does to the images its scope covers.</summary>
public enum PolicyEffect
{
    /// <summary>The images may launch; once an environment has an allow rule, an image no allow rule covers may not.</summary>
    Allow,

    /// <summary>The images may not launch, whatever else covers them.</summary>
    Deny,
}
