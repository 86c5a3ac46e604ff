using System.Text.Json;

namespace Registries.Core.Interop.Tests;

/// <summary>What containers/image 5.23 (Debian's skopeo 1.9) makes of a registries.conf and a policy.json, written
/// after its sources (pkg/sysregistriesv2, docker/policyconfiguration): the unit tests' judge of our files; the real
/// skopeo judges them in <see cref="ContainersPolicySkopeoIntegrationTests"/>.</summary>
internal sealed class ContainersImageModel
{
    private readonly bool _defaultAccepts;
    private readonly Dictionary<string, bool> _scopes;
    private readonly List<Table> _tables;

    public ContainersImageModel(string policyJson, string registriesConf)
    {
        using var document = JsonDocument.Parse(policyJson);
        _defaultAccepts = document.RootElement.GetProperty("default")[0].GetProperty("type").GetString() == "insecureAcceptAnything";
        _scopes = document.RootElement.TryGetProperty("transports", out var transports)
            ? transports.GetProperty("docker").EnumerateObject().ToDictionary(p => p.Name, p => p.Value[0].GetProperty("type").GetString() == "insecureAcceptAnything")
            : [];
        _tables = ParseTables(registriesConf);
    }

    public sealed class Table
    {
        public string Prefix { get; set; } = string.Empty;

        public string Location { get; set; } = string.Empty;

        public bool Blocked { get; set; }

        public bool DigestOnly { get; set; }

        public List<string> Mirrors { get; } = [];
    }

    /// <summary>policy.json: the most specific scope present decides, else the default.</summary>
    public bool Accepts(ImageReference image)
    {
        foreach (var candidate in Namespaces(image))
        {
            if (_scopes.TryGetValue(candidate, out var accept))
            {
                return accept;
            }
        }

        return _defaultAccepts;
    }

    /// <summary>registries.conf: the table with the longest prefix (the first of equal lengths).</summary>
    public Table? Find(ImageReference image)
    {
        Table? found = null;
        foreach (var table in _tables)
        {
            if (MatchingPrefix(image.Name, table.Prefix) >= 0 && table.Prefix.Length > (found?.Prefix.Length ?? 0))
            {
                found = table;
            }
        }

        return found;
    }

    /// <summary>registries.conf: where a pull goes, in order (the image's name when no table matches).</summary>
    public IReadOnlyList<string> Sources(ImageReference image)
    {
        var table = Find(image);
        if (table is null)
        {
            return [image.ToString()];
        }

        var endpoints = new List<string>();
        if (!table.DigestOnly || image.Digest is not null)
        {
            endpoints.AddRange(table.Mirrors);
        }

        endpoints.Add(table.Location);
        var text = image.ToString();
        var length = MatchingPrefix(text, table.Prefix);
        return endpoints.Select(e => e.Length == 0 ? text : e + text[length..]).ToList();
    }

    private static IEnumerable<string> Namespaces(ImageReference image)
    {
        yield return image.ToString();
        var name = image.Name;
        while (true)
        {
            yield return name;
            var slash = name.LastIndexOf('/');
            if (slash < 0)
            {
                break;
            }

            name = name[..slash];
        }

        var colon = name.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            name = name[..colon];
        }

        while (name.IndexOf('.', StringComparison.Ordinal) is var dot and >= 0)
        {
            name = name[(dot + 1)..];
            yield return "*." + name;
        }
    }

    // refMatchingPrefix: a '*.' prefix matches its domain at any depth before the first '/'; another prefix matches
    // when the name continues with ':', '/' or '@' (so example.com takes example.com:5000).
    private static int MatchingPrefix(string reference, string prefix)
    {
        if (prefix.StartsWith("*.", StringComparison.Ordinal))
        {
            var index = reference.IndexOf(prefix[1..], StringComparison.Ordinal);
            if (index < 0 || reference[..index].Contains('/', StringComparison.Ordinal))
            {
                return -1;
            }

            index += prefix.Length - 1;
            return index == reference.Length || reference[index] is ':' or '/' or '@' ? index : -1;
        }

        if (reference.Length < prefix.Length || !reference.StartsWith(prefix, StringComparison.Ordinal))
        {
            return -1;
        }

        return reference.Length == prefix.Length || reference[prefix.Length] is ':' or '/' or '@' ? prefix.Length : -1;
    }

    private static List<Table> ParseTables(string toml)
    {
        var tables = new List<Table>();
        var inMirror = false;
        foreach (var raw in toml.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line == "[[registry]]")
            {
                tables.Add(new Table());
                inMirror = false;
                continue;
            }

            if (line == "[[registry.mirror]]")
            {
                tables[^1].Mirrors.Add(string.Empty);
                inMirror = true;
                continue;
            }

            var (key, value) = (line[..line.IndexOf(" = ", StringComparison.Ordinal)], line[(line.IndexOf(" = ", StringComparison.Ordinal) + 3)..]);
            var text = value.Trim('"');
            var table = tables[^1];
            switch (key)
            {
                case "location" when inMirror:
                    table.Mirrors[^1] = text;
                    break;
                case "location":
                    table.Location = text;
                    break;
                case "prefix":
                    table.Prefix = text;
                    break;
                case "blocked":
                    table.Blocked = value == "true";
                    break;
                case "mirror-by-digest-only":
                    table.DigestOnly = value == "true";
                    break;
                default:
                    throw new InvalidOperationException("unexpected key " + key);
            }
        }

        return tables;
    }
}
