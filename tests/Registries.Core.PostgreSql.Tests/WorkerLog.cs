using System.Globalization;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>What worker processes reported (one line per acknowledged write), and the state each entry must have
/// once every reported write is replayed in version order.</summary>
internal sealed class WorkerLog
{
    private readonly Dictionary<string, List<Write>> _writes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Added> _adds = new(StringComparer.Ordinal);

    /// <summary>Gets the entries that a worker reported adding.</summary>
    public IReadOnlyDictionary<string, Added> Adds => _adds;

    /// <summary>Reads the lines of one worker.</summary>
    /// <param name="lines">The worker's lines.</param>
    public void Read(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            var parts = line.Split(' ');
            switch (parts[0])
            {
                case "ADD":
                    var added = new Added(parts[1], long.Parse(parts[2], CultureInfo.InvariantCulture), RegistryAddress.Parse(parts[3]), parts[4]);
                    Assert.True(_adds.TryAdd(added.Id, added), $"Two adds reported the same id {added.Id}.");
                    Record(added.Id, new Write("ADD", 1, added.Password));
                    break;
                case "EDIT":
                    Record(parts[1], new Write("EDIT", long.Parse(parts[2], CultureInfo.InvariantCulture), parts[3]));
                    break;
                case "DEACTIVATE" or "ACTIVATE" or "DELETE":
                    Record(parts[1], new Write(parts[0], long.Parse(parts[2], CultureInfo.InvariantCulture), null));
                    break;
                default:
                    // REFUSED, CONFLICT, DONE, MIGRATED: nothing was written.
                    break;
            }
        }
    }

    private void Record(string id, Write write)
    {
        if (!_writes.TryGetValue(id, out var list))
        {
            _writes[id] = list = [];
        }

        list.Add(write);
    }

    /// <summary>Gets every password that was ever written for an entry.</summary>
    /// <param name="id">The entry.</param>
    /// <returns>The passwords.</returns>
    public IReadOnlySet<string> PasswordsOf(string id)
        => _writes.TryGetValue(id, out var list) ? list.Where(w => w.Password is not null).Select(w => w.Password!).ToHashSet(StringComparer.Ordinal) : new HashSet<string>();

    /// <summary>Gets the highest version a worker reported for an entry (0 when none).</summary>
    /// <param name="id">The entry.</param>
    /// <returns>The version.</returns>
    public long LastVersionOf(string id) => _writes.TryGetValue(id, out var list) ? list.Max(w => w.Version) : 0;

    /// <summary>Replays the reported writes of an entry in version order, checking that each version was
    /// acknowledged once and each change was legal from the state before it.</summary>
    /// <param name="id">The entry.</param>
    /// <returns>The state and password after the last reported write.</returns>
    public (RegistryState State, string? Password) Replay(string id)
    {
        var ordered = _writes[id].OrderBy(w => w.Version).ToList();
        Assert.Equal(Enumerable.Range(1, ordered.Count).Select(v => (long)v), ordered.Select(w => w.Version));
        Assert.Equal("ADD", ordered[0].Kind);
        var state = RegistryState.Active;
        string? password = null;
        foreach (var write in ordered)
        {
            (state, password) = write.Kind switch
            {
                "ADD" => (RegistryState.Active, write.Password),
                "EDIT" when state != RegistryState.Removed => (state, write.Password),
                "DEACTIVATE" when state == RegistryState.Active => (RegistryState.Inactive, password),
                "ACTIVATE" when state == RegistryState.Inactive => (RegistryState.Active, password),
                "DELETE" when state == RegistryState.Inactive => (RegistryState.Removed, null),
                _ => throw new Xunit.Sdk.XunitException($"{id}: {write.Kind} at version {write.Version} was acknowledged from state {state}."),
            };
        }

        return (state, password);
    }

    /// <summary>A reported add.</summary>
    /// <param name="Id">The entry.</param>
    /// <param name="Sequence">Its store-assigned order.</param>
    /// <param name="Address">Its address.</param>
    /// <param name="Password">The password it was added with.</param>
    public sealed record Added(string Id, long Sequence, RegistryAddress Address, string Password);

    /// <summary>A reported write.</summary>
    /// <param name="Kind">ADD, EDIT, DEACTIVATE, ACTIVATE or DELETE.</param>
    /// <param name="Version">The version it produced.</param>
    /// <param name="Password">The password it wrote (ADD and EDIT), else <see langword="null"/>.</param>
    public sealed record Write(string Kind, long Version, string? Password);
}
