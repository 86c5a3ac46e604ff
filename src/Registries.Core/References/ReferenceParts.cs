namespace Registries.Core;

// The positions found by the grammar. All indexes are into the input span.
internal struct ReferenceParts
{
    public DomainKind Kind;
    public int Slash;
    public int RemainderStart;
    public int PathStart;
    public int PathEnd;
    public int Components;
    public int TagStart;
    public int TagEnd;
    public int DigestStart;
    public int AlgorithmEnd;
    public bool IsDockerHub;
    public bool LibraryPrefix;
    public bool Domainless;

    public readonly int PathLength => PathEnd - PathStart + (LibraryPrefix ? ReferenceGrammar.LibraryPrefix.Length : 0);

    public readonly bool HasTag => TagStart >= 0;

    public readonly bool HasDigest => DigestStart >= 0;
}
