using System.Diagnostics.CodeAnalysis;

namespace Registries.Core;

/// <summary>One rule of an environment's <see cref="RegistryPolicy"/>: a scope (as registry entries have them) and
/// whether its images are allowed or denied.</summary>
/// <remarks>
/// <para>The scope matches as an entry's does (<see cref="RegistryScope.Covers(ImageReference)"/>): a path prefix on
/// <c>/</c> boundaries only, a host pattern one DNS label per <c>*</c>. So <c>registry.example.com/team</c> never
/// covers <c>registry.example.com/team-b</c>, and <c>registry.example.com</c> never covers
/// <c>registry.example.com.evil.io</c>.</para>
/// <para><see cref="DigestOnly"/> narrows an allow rule to images named by digest; a deny rule denies every image it
/// covers and cannot be digest-only. Two rules are equal when their scope, effect and digest flag are. Immutable.</para>
/// </remarks>
public sealed class PolicyRule : IEquatable<PolicyRule>
{
    private PolicyRule(RegistryScope scope, PolicyEffect effect, bool digestOnly)
    {
        Scope = scope;
        Effect = effect;
        DigestOnly = digestOnly;
    }

    /// <summary>Gets the scope the rule covers.</summary>
    public RegistryScope Scope { get; }

    /// <summary>Gets what the rule does to the images its scope covers.</summary>
    public PolicyEffect Effect { get; }

    /// <summary>Gets a value indicating whether an allow rule allows only images named by digest (<c>@sha256:...</c>).</summary>
    public bool DigestOnly { get; }

    /// <summary>Returns a rule that allows the images of a scope.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="digestOnly">Whether only images named by digest are allowed.</param>
    /// <returns>The rule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scope"/> is <see langword="null"/>.</exception>
    public static PolicyRule Allow(RegistryScope scope, bool digestOnly = false)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return new PolicyRule(scope, PolicyEffect.Allow, digestOnly);
    }

    /// <summary>Returns a rule that denies the images of a scope.</summary>
    /// <param name="scope">The scope.</param>
    /// <returns>The rule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scope"/> is <see langword="null"/>.</exception>
    public static PolicyRule Deny(RegistryScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return new PolicyRule(scope, PolicyEffect.Deny, digestOnly: false);
    }

    /// <summary>Returns a rule from its parts, as a store reads them.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="effect">The effect.</param>
    /// <param name="digestOnly">Whether an allow rule allows only images named by digest.</param>
    /// <returns>The rule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scope"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The effect is unknown.</exception>
    /// <exception cref="ArgumentException">A deny rule is digest-only.</exception>
    public static PolicyRule Create(RegistryScope scope, PolicyEffect effect, bool digestOnly)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (!Enum.IsDefined(effect))
        {
            throw new ArgumentOutOfRangeException(nameof(effect), effect, "Unknown policy effect: use Allow or Deny.");
        }

        if (effect == PolicyEffect.Deny && digestOnly)
        {
            throw new ArgumentException("A deny rule denies every image it covers, by tag or by digest: only an allow rule can be digest-only.", nameof(digestOnly));
        }

        return new PolicyRule(scope, effect, digestOnly);
    }

    /// <summary>Tells whether the rule's scope covers an image.</summary>
    /// <param name="image">The image.</param>
    /// <returns><see langword="true"/> when the scope covers it (whatever the digest flag).</returns>
    public bool Covers(ImageReference image) => Scope.Covers(image);

    /// <inheritdoc/>
    public bool Equals([NotNullWhen(true)] PolicyRule? other)
        => other is not null && Scope.Equals(other.Scope) && Effect == other.Effect && DigestOnly == other.DigestOnly;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as PolicyRule);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Scope, Effect, DigestOnly);

    /// <summary>Returns the rule as the CLI shows it.</summary>
    /// <returns>For example <c>allow registry.example.com/team (digest only)</c> or <c>deny *.evil.example</c>.</returns>
    public override string ToString()
        => (Effect == PolicyEffect.Allow ? "allow " : "deny ") + Scope + (DigestOnly ? " (digest only)" : string.Empty);
}
