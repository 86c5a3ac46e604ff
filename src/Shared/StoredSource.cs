namespace Registries.Core.Shared;

/// <summary>How a durable store writes an entry's credential source and reads it back: the kind by the name the CLI
/// spells it (<c>stored</c>, <c>credential-helper</c>, <c>kubelet-plugin</c>, <c>identity-token</c>), so that the stored
/// text never depends on the enum's numbers. Every store package links this one source (see src/Shared).</summary>
internal static class StoredSource
{
    /// <summary>Finds the kind a stored name spells.</summary>
    /// <param name="name">The stored name.</param>
    /// <param name="kind">The kind, when this release knows the name.</param>
    /// <returns><see langword="false"/> for a name this release does not know (a newer release's kind).</returns>
    public static bool TryParseKind(string name, out CredentialSourceKind kind)
    {
        foreach (var candidate in Enum.GetValues<CredentialSourceKind>())
        {
            if (string.Equals(CredentialSource.NameOf(candidate), name, StringComparison.Ordinal))
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
