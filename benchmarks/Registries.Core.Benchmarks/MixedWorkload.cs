using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Registries.Core.Benchmarks;

/// <summary>A mixed workload like real traffic: table references and thousands of seeded mutations, most of them invalid.</summary>
/// <remarks>
/// <para>The seeds are the <see cref="ReferenceSet"/> and rows of the test tables of Docker's own parser
/// (github.com/distribution/reference); a seeded mutator of our own turns them into near misses and plausible
/// variants: insertions, deletions, replacements, case flips, separators, digests, ports, IPv6 registries, schemes,
/// blanks and long names. The seed is fixed, so every run (and every machine) measures the same
/// <see cref="Count"/> references.</para>
/// <para>No Go toolchain runs here, so the mutations carry no Docker verdict of their own. What guards the agreement
/// with Docker is <see cref="OutcomeFingerprint"/>: the SHA-256 of every reference's outcome (refused, or accepted
/// with its normalized form) as computed by the parser that passed the 208 Go-table rows and the
/// <see cref="ReferenceSet"/>. An optimization that changes any answer on the workload changes the fingerprint, and
/// the smoke run fails.</para>
/// </remarks>
/// <summary>Which references of the <see cref="MixedWorkload"/> a benchmark runs over.</summary>
public enum WorkloadPart
{
    /// <summary>The whole workload, as generated.</summary>
    All,

    /// <summary>Only the references the parser accepts, repeated.</summary>
    Accepted,

    /// <summary>Only the references the parser refuses, repeated.</summary>
    Refused,
}

internal static class MixedWorkload
{
    /// <summary>The number of references; a constant so that it can be BenchmarkDotNet's OperationsPerInvoke.</summary>
    public const int Count = 4096;

    /// <summary>The seed of the mutator.</summary>
    public const int Seed = 20_261_201;

    /// <summary>The fingerprint of the parser's outcomes on the workload, recorded before the parser was optimized.</summary>
    public const string ExpectedFingerprint = "21ce615365a5da4cb0cbfa8e00742dc0689581d8931c65fe128df492e914f0c2";

    private const string Hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    // Rows after the Go package's test tables (reference_test.go, normalize_test.go), both valid and invalid.
    private static readonly string[] GoTableSeeds =
    [
        "test_com", "test.com:tag", "test.com:5000", "test.com/repo:tag", "test:5000/repo", "test:5000/repo:tag",
        "test:5000/repo@sha256:" + Hex64, "test:5000/repo:tag@sha256:" + Hex64, "lowercase:Uppercase",
        "sub-dom1.foo.com/bar/baz/quux:some-long-tag", "b.gcr.io/test.example.com/my-app:test.example.com",
        "xn--n3h.com/myimage:xn--n3h.com", "foo_bar.com:8080", "foo/foo_bar.com:8080", "192.168.1.1:5000/repo:5050",
        "[2001:db8::1]:5000/repo:tag", "[2001:db8::]:5000/repo", "[::1]:5000/repo", "docker/docker", "library/debian",
        "docker.io/library/debian", "index.docker.io/docker/docker", "127.0.0.1:5000/private/moonbase",
        "Docker/docker", "DOCKER/docker", "docker---rules/docker", "dock__er/docker", "ubuntu-12.04-base",
        "registry.io/foo/project--id.module--name.ver---sion--name", "Asdf.com/foo/bar", "localhost:8080@sha256:" + Hex64,
        ":justtag", "@sha256:" + Hex64, "repo@sha256:ffffffffffffffffffffffffffffffffff", "Uppercase:tag",
        "test:5000/Uppercase/lowercase:tag", "aa/asdf$$^/aa", "[2001:db8::1]", "[fe80::1%eth0]:5000/repo",
        "https://github.com/docker/docker", "docker/Docker", "-docker", "docker///docker", "[fc00::1]:5000",
        "fc00::1:5000/debian", "[2001:db8:3:4::192.0.2.33]:5000/debian", "docker-/docker", "____/____", "dock..er/docker",
        "dock___er/docker", "a/a/a/a/", "foo.com:http/bar", "foo_bar.com:8080/app", "example.com/__underscore/myimage",
        "do__cker:8080/docker", "registry.com:8080/myapp@sha256:badbadbadbad", "registry.com:8080/myapp:invalid~tag",
        "bad_hostname.com:8080/myapp:tag", "localhost:http/name@sha256:" + Hex64, "-ab.com/a", "ab.com-/a",
        "[fd00:1:2::3]75050/a", "fd00:1:2::3:75050/a",
    ];

    private static readonly string[] Separators = [".", "_", "__", "-", "---", "/", "//", ":", "@", "..", "___"];

    private static readonly string[] Registries =
    [
        "registry.example.com", "registry.example.com:5000", "localhost:5000", "10.0.0.5:5000", "[fe80::1]:5000",
        "[2001:db8::1]", "quay.io", "docker.io", "index.docker.io", "ghcr.io", "my_registry.local", "host:99999999999",
        "[fe80::1%eth0]:5000", "fe80::1:5000", "Registry.Example.com", "registry.example.com:", "-bad.example.com",
    ];

    private static readonly string[] Digests =
    [
        "sha256:" + Hex64, "sha512:" + Hex64 + Hex64, "sha384:" + Hex64 + Hex64[..32], "sha256:" + Hex64[..63],
        "sha256:" + Hex64.ToUpperInvariant(), "md5:" + Hex64, "sha256:xyz", "SHA256:" + Hex64, "sha256:" + Hex64 + "0",
    ];

    // Characters a mutation inserts: the grammar's own, uppercase, blanks, controls, a bidi override, non-ASCII.
    private const string InsertedChars = "abcz09._-/:@[]%AZ~!#?+ \t\u00e4\u00c4\u212a\u202e\u0000";

    public static IReadOnlyList<string> Seeds { get; } = [.. ReferenceSet.Texts, .. GoTableSeeds];

    public static string[] Texts { get; } = Generate();

    /// <summary>The workload, or only its accepted or refused references repeated to <see cref="Count"/>.</summary>
    /// <param name="part">Which references.</param>
    /// <returns><see cref="Count"/> references.</returns>
    public static string[] Select(WorkloadPart part)
    {
        if (part == WorkloadPart.All)
        {
            return Texts;
        }

        var chosen = Texts.Where(t => ImageReference.TryParse(t, out _) == (part == WorkloadPart.Accepted)).ToArray();
        return [.. Enumerable.Range(0, Count).Select(i => chosen[i % chosen.Length])];
    }

    /// <summary>The SHA-256 (hex) of every reference's outcome with the current parser, in order.</summary>
    /// <returns>The fingerprint and the number of accepted references.</returns>
    public static (string Fingerprint, int Valid) Fingerprint()
    {
        var builder = new StringBuilder();
        var valid = 0;
        foreach (var text in Texts)
        {
            if (ImageReference.TryParse(text, out var reference))
            {
                valid++;
                builder.Append('+').Append(reference.ToString());
            }
            else
            {
                builder.Append('-');
            }

            builder.Append('\n');
        }

        return (Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString()))), valid);
    }

    private static string[] Generate()
    {
        // A seeded System.Random gives the same sequence on every run and runtime version (the seeded algorithm is
        // kept for compatibility), which is what makes the workload and its fingerprint reproducible.
#pragma warning disable CA5394 // Not for security: a reproducible workload.
        var random = new Random(Seed);
        var texts = new string[Count];
        var i = 0;
        foreach (var seed in Seeds)
        {
            texts[i++] = seed;
        }

        while (i < Count)
        {
            var text = Seeds[random.Next(Seeds.Count)];
            var edits = 1 + random.Next(3);
            for (var e = 0; e < edits; e++)
            {
                text = Mutate(text, random);
            }

            texts[i++] = text;
        }
#pragma warning restore CA5394

        return texts;
    }

#pragma warning disable CA5394 // Not for security: a reproducible workload.
    private static string Mutate(string text, Random random)
    {
        var at = random.Next(text.Length + 1);
        var inside = at < text.Length;
        switch (random.Next(14))
        {
            case 0:
                return text.Insert(at, InsertedChars[random.Next(InsertedChars.Length)].ToString());
            case 1 when inside:
                return text.Remove(at, 1);
            case 2 when inside:
                return string.Concat(text.AsSpan(0, at), InsertedChars.AsSpan(random.Next(InsertedChars.Length), 1), text.AsSpan(at + 1));
            case 3 when inside:
                var c = text[at];
                var flipped = char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c);
                return string.Concat(text.AsSpan(0, at), new ReadOnlySpan<char>(in flipped), text.AsSpan(at + 1));
            case 4:
                return text.Insert(at, Separators[random.Next(Separators.Length)]);
            case 5:
                // A digest, in place of the one there or added.
                var digestAt = text.IndexOf('@', StringComparison.Ordinal);
                return (digestAt >= 0 ? text[..digestAt] : text) + "@" + Digests[random.Next(Digests.Length)];
            case 6:
                // A registry, with or without a port, in front of the name.
                return Registries[random.Next(Registries.Length)] + "/" + text;
            case 7:
                var tagAt = text.LastIndexOf(':');
                var tag = random.Next(4) switch
                {
                    0 => new string('t', 128),
                    1 => new string('t', 129),
                    2 => string.Create(CultureInfo.InvariantCulture, $"v{random.Next(100)}.{random.Next(10)}-rc_{random.Next(5)}"),
                    _ => "-bad",
                };
                return (tagAt > text.LastIndexOf('/') && tagAt >= 0 ? text[..tagAt] : text) + ":" + tag;
            case 8:
                // A long name: the 255-character path limit and beyond.
                var component = new string((char)('a' + random.Next(26)), 20 + random.Next(60));
                return string.Join('/', Enumerable.Repeat(component, 1 + random.Next(5))) + "/" + text;
            case 9:
                return (random.Next(2) == 0 ? "https://" : "docker://") + text;
            case 10:
                return random.Next(3) switch
                {
                    0 => " " + text,
                    1 => text + "\n",
                    _ => text.Insert(at, " "),
                };
            case 11:
                return text[..at];
            case 12:
                // A port on the first component, numeric or not.
                var slash = text.IndexOf('/', StringComparison.Ordinal);
                var port = random.Next(3) switch { 0 => ":5000", 1 => ":" + random.Next(100_000).ToString(CultureInfo.InvariantCulture), _ => ":http" };
                return slash > 0 ? text.Insert(slash, port) : "localhost" + port + "/" + text;
            default:
                return text.Insert(at, random.Next(2) == 0 ? "[::1]" : "[2001:db8::" + random.Next(0x10000).ToString("x", CultureInfo.InvariantCulture) + "]");
        }
    }
#pragma warning restore CA5394
}
