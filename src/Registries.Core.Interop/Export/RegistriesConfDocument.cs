using System.Text;

namespace Registries.Core.Interop;

/// <summary>Writes an environment's mirrors and deny rules as containers' <c>registries.conf</c> (version 2,
/// containers-registries.conf(5)), and lists what it cannot hold.</summary>
/// <remarks>
/// <para>containers/image picks ONE <c>[[registry]]</c> table per image, the one with the longest <c>prefix</c>; its
/// <c>blocked</c>, <c>mirror-by-digest-only</c> and <c>[[registry.mirror]]</c> list apply, each mirror's
/// <c>location</c> taking the place of the prefix in the image's name. So each mirrored upstream gets a table at its
/// host, one at each prefix a rewrite swaps (<c>^library/(.*)</c> to <c>mirror/library/$1</c>), and one at the path
/// of each policy rule that covers it, each with the settings our policy and mirrors give everything under it; a
/// mirror-only upstream's last mirror becomes the table's <c>location</c>, so that the upstream is never contacted. A
/// concrete deny rule is a blocked table at its scope, a host pattern's deny rule a blocked <c>*.</c> table (wider).
/// Concrete tables come first, because a <c>*.</c> prefix as long as a host's wins when it comes first.</para>
/// </remarks>
internal static class RegistriesConfDocument
{
    private sealed class Table
    {
        public required string Prefix { get; init; }

        public string? Location { get; set; }

        public List<string> Mirrors { get; set; } = [];

        public bool Blocked { get; set; }

        public bool DigestOnly { get; set; }

        public bool IsWildcard => Prefix.StartsWith("*.", StringComparison.Ordinal);

        public string? MirrorOnlyUpstream { get; init; }

        public void Block()
        {
            Blocked = true;
            Location = Prefix;
            Mirrors = [];
            DigestOnly = false;
        }
    }

    public static (byte[] Toml, IReadOnlyList<string> Notes) Build(RegistryPolicy policy, RegistryMirrors mirrors)
    {
        var notes = new List<string>();
        var tables = new Dictionary<string, Table>(StringComparer.Ordinal);
        var swaps = new Dictionary<RegistryMirror, (string From, string To)>();
        foreach (var mirror in mirrors.All)
        {
            if (mirror.Rewrite is null)
            {
                swaps[mirror] = (string.Empty, string.Empty);
            }
            else if (ContainersScopes.TryReadPrefixSwap(mirror.Rewrite, out var from, out var to))
            {
                swaps[mirror] = (from, to);
            }
            else
            {
                notes.Add($"{mirror.Upstream} -> {mirror.Address}: left out: its rewrite '{mirror.Rewrite}' is not a prefix swap ('^PREFIX/(.*)' to 'NEWPREFIX/$1'), the only rewrite registries.conf can express (a location for a prefix)"
                    + (mirrors.FallsBackToUpstream(mirror.Upstream) ? "; its images are pulled from the other mirrors and the upstream." : "; the upstream is mirror-only, so images only this mirror can serve are not pulled (narrower)."));
            }
        }

        var fresh = ContainersScopes.FreshComponent(policy.Rules.Select(r => r.Scope.Path).Concat(swaps.Values.SelectMany(s => new[] { s.From, s.To })));
        var mirrored = mirrors.Upstreams();
        foreach (var upstream in mirrored)
        {
            var usable = mirrors.For(upstream).Where(swaps.ContainsKey).ToList();
            var mirrorOnly = !mirrors.FallsBackToUpstream(upstream);
            var paths = new SortedSet<string>(StringComparer.Ordinal) { string.Empty };
            paths.UnionWith(usable.Select(m => swaps[m].From).Where(p => p.Length > 0));
            paths.UnionWith(policy.Rules.Where(r => !r.Scope.IsHostLevel && r.Scope.Address.Covers(upstream)).Select(r => r.Scope.Path));

            var built = new List<(string Path, Table Table)>();
            foreach (var path in paths)
            {
                var prefix = ContainersScopes.Key(upstream, path);
                var locations = usable.Select(m => ContainersScopes.HostKey(m.Address) + Rooted(MirrorPath(swaps[m], path))).ToList();
                var table = new Table { Prefix = prefix, MirrorOnlyUpstream = mirrorOnly ? upstream.ToString() : null };
                var (byTag, byDigest, denied) = ContainersScopes.Verdict(policy, upstream, path, fresh);
                if (denied || (mirrorOnly && locations.Count == 0))
                {
                    // Denied here, or mirror-only with no mirror that can serve it: nothing is pulled.
                    table.Block();
                }
                else
                {
                    table.Location = mirrorOnly ? locations[^1] : prefix;
                    table.Mirrors = mirrorOnly ? locations.GetRange(0, locations.Count - 1) : locations;
                    table.DigestOnly = !byTag && byDigest && table.Mirrors.Count > 0;
                }

                built.Add((path, table));
            }

            // A table that says nothing its parent does not (same settings, each location its parent's plus the same
            // path) is left out, so that a rule's path adds a table only where it changes something.
            foreach (var (path, table) in built)
            {
                var parent = built.Where(b => b.Path.Length < path.Length && (b.Path.Length == 0 || path.StartsWith(b.Path + "/", StringComparison.Ordinal)))
                    .OrderByDescending(b => b.Path.Length).Select(b => b.Table).FirstOrDefault();
                if (parent is null || !SaysTheSame(parent, table, path[(parent.Prefix.Length - ContainersScopes.HostKey(upstream).Length)..].TrimStart('/')))
                {
                    tables[table.Prefix] = table;
                }
            }
        }

        foreach (var rule in policy.Rules.Where(r => r.Effect == PolicyEffect.Deny))
        {
            var scope = rule.Scope;
            if (scope.Address.IsPattern)
            {
                var wildcard = ContainersScopes.Wildcard(scope.Address);
                tables.TryAdd(wildcard, new Table { Prefix = wildcard, Blocked = true });
                notes.Add($"{scope}: denied, written as a blocked '{wildcard}', which also blocks {ContainersScopes.Widening(scope)}.");

                // containers/image lets a host prefix match the same host with any port: a mirrored host without a
                // port would take the images of HOST:PORT this rule denies, so HOST:PORT gets a blocked table of its own.
                if (scope.Address.Port is { } port)
                {
                    foreach (var upstream in mirrored.Where(u => u.Port is null && !u.IsDockerHub && !u.IsIPv6))
                    {
                        var withPort = RegistryAddress.Parse(upstream + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        if (scope.Address.Covers(withPort) && !mirrored.Contains(withPort))
                        {
                            var prefix = ContainersScopes.Key(withPort, scope.Path);
                            var table = new Table { Prefix = prefix };
                            table.Block();
                            tables.TryAdd(prefix, table);
                        }
                    }
                }
            }
            else if (!mirrored.Contains(scope.Address))
            {
                var prefix = ContainersScopes.Key(scope.Address, scope.Path);
                var table = new Table { Prefix = prefix };
                table.Block();
                tables.TryAdd(prefix, table);
            }
        }

        // containers/image refuses two tables with one location and different 'blocked': a mirror-only table whose
        // location is a blocked scope is blocked too (narrower), never turned back to its upstream.
        foreach (var group in tables.Values.Where(t => !t.IsWildcard).GroupBy(t => t.Location!, StringComparer.Ordinal))
        {
            if (group.Any(t => t.Blocked) && group.Any(t => !t.Blocked))
            {
                foreach (var table in group.Where(t => !t.Blocked))
                {
                    table.Block();
                    notes.Add($"{table.Prefix}: blocked: its upstream is mirror-only and its last mirror's location '{group.Key}' is a blocked scope here, which registries.conf cannot hold together with a location (narrower).");
                }
            }
        }

        if (policy.HasAllowRules)
        {
            notes.Add($"allow rules ({string.Join(", ", policy.Rules.Where(r => r.Effect == PolicyEffect.Allow).Select(r => r.Scope))}): registries.conf has no allow list, so it does not refuse the images they leave out; policy.json does (export --format policy-json).");
        }

        foreach (var rule in policy.Rules.Where(r => r.DigestOnly))
        {
            var onMirrors = tables.Values.Any(t => t.DigestOnly);
            notes.Add($"{rule.Scope}: allowed by digest only, but registries.conf cannot refuse a pull by tag"
                + (onMirrors ? " (mirror-by-digest-only keeps such pulls off the mirrors)" : string.Empty)
                + "; policy.json refuses it (export --format policy-json).");
        }

        var caseSensitive = policy.Rules.Where(r => r.Effect == PolicyEffect.Deny && ContainersScopes.HasLetters(r.Scope.Address)).Select(r => r.Scope.ToString())
            .Concat(mirrored.Where(u => !mirrors.FallsBackToUpstream(u) && ContainersScopes.HasLetters(u)).Select(u => u + " (mirror-only)")).ToList();
        if (caseSensitive.Count > 0)
        {
            notes.Add($"{string.Join(", ", caseSensitive)}: registries.conf compares host names as written: an image whose host is written with capitals (EVIL.example/app) or as registry-1.docker.io is neither blocked nor sent to the mirrors; policy.json with allow rules refuses such names.");
        }

        return (Render(tables.Values), notes);
    }

    private static string MirrorPath((string From, string To) swap, string path)
    {
        if (swap.From.Length == 0)
        {
            return Join(swap.To, path);
        }

        if (path == swap.From || path.StartsWith(swap.From + "/", StringComparison.Ordinal))
        {
            return Join(swap.To, path[swap.From.Length..].TrimStart('/'));
        }

        return path;
    }

    private static string Join(string a, string b) => a.Length == 0 ? b : b.Length == 0 ? a : a + "/" + b;

    private static string Rooted(string path) => path.Length == 0 ? string.Empty : "/" + path;

    private static bool SaysTheSame(Table parent, Table child, string rest)
    {
        if (parent.Blocked || child.Blocked)
        {
            return parent.Blocked && child.Blocked;
        }

        return parent.DigestOnly == child.DigestOnly
            && child.Location == parent.Location + Rooted(rest)
            && child.Mirrors.SequenceEqual(parent.Mirrors.Select(m => m + Rooted(rest)), StringComparer.Ordinal);
    }

    private static byte[] Render(IEnumerable<Table> tables)
    {
        var text = new StringBuilder();
        text.Append("# containers-registries.conf(5), version 2: an environment's mirrors and deny rules, written by Registries.Core.\n");
        text.Append("# Pair it with the policy.json of the same environment, which holds its allow rules.\n");
        foreach (var table in tables.OrderBy(t => t.IsWildcard).ThenBy(t => t.Prefix, StringComparer.Ordinal))
        {
            text.Append("\n[[registry]]\n");
            text.Append("prefix = ").Append(ContainersScopes.TomlString(table.Prefix)).Append('\n');
            if (table.Location is not null && !table.IsWildcard)
            {
                text.Append("location = ").Append(ContainersScopes.TomlString(table.Location)).Append('\n');
            }

            if (table.Blocked)
            {
                text.Append("blocked = true\n");
            }

            if (table.DigestOnly)
            {
                text.Append("mirror-by-digest-only = true\n");
            }

            foreach (var mirror in table.Mirrors)
            {
                text.Append("\n[[registry.mirror]]\n");
                text.Append("location = ").Append(ContainersScopes.TomlString(mirror)).Append('\n');
            }
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
