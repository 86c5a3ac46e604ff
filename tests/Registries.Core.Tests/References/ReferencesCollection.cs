namespace Registries.Core.Tests.References;

// The reference tests measure allocations and the reuse of the last registry address: they run one class at a time.
[CollectionDefinition(Name)]
public sealed class ReferencesCollection
{
    public const string Name = "References";
}
