namespace Registries.Core.Benchmarks;

/// <summary>The mixed set of image references that both parsers are measured on.</summary>
/// <remarks>
/// Roughly what a catalog tool meets: Docker Hub short names, tags, digests, registries with ports, IPv6 and
/// localhost registries, long paths, and the usual mistakes (uppercase, bad tags, bad digests, empty input, a
/// bare tag, blanks, a URL). <see cref="Case.Valid"/> is the answer of Docker's own parser
/// (github.com/distribution/reference, ParseNormalizedNamed).
/// </remarks>
internal static class ReferenceSet
{
    /// <summary>The number of references; a constant so that it can be BenchmarkDotNet's OperationsPerInvoke.</summary>
    public const int Count = 56;

    private static readonly string Sha256 = "sha256:" + string.Concat(Enumerable.Repeat("0123456789abcdef", 4));
    private static readonly string Sha512 = "sha512:" + string.Concat(Enumerable.Repeat("fedcba9876543210", 8));

    public static IReadOnlyList<Case> Cases { get; } = Build();

    public static string[] Texts { get; } = [.. Cases.Select(c => c.Text)];

    private static Case[] Build()
    {
        Case[] cases =
        [
            // Docker Hub: short names, namespaces, tags, aliases.
            new("ubuntu", true),
            new("ubuntu:22.04", true),
            new("nginx:1.25-alpine", true),
            new("busybox:latest", true),
            new("library/redis:7", true),
            new("bitnami/postgresql:16.1.0-debian-11-r0", true),
            new("docker.io/library/alpine:3.19", true),
            new("index.docker.io/library/busybox:latest", true),
            new("registry-1.docker.io/library/hello-world", true),
            new("foo_bar/baz__qux:tag_1", true),
            new("a-b---c/d.e:TAG-Upper.1", true),
            new("ubuntu@" + Sha256, true),
            new("alpine:3.19@" + Sha256, true),
            new("app@" + Sha512, true),
            new("org/team/group/subgroup/project/component/image:1.2.3", true),
            new("ubuntu:" + new string('t', 128), true),

            // Other registries: names, ports, IP addresses, IPv6, localhost.
            new("quay.io/prometheus/node-exporter:v1.7.0", true),
            new("gcr.io/distroless/static-debian12:nonroot", true),
            new("ghcr.io/opencontainers/runc:v1.1.12", true),
            new("mcr.microsoft.com/dotnet/aspnet:10.0", true),
            new("k8s.gcr.io/pause:3.9", true),
            new("public.ecr.aws/lambda/python:3.12", true),
            new("123456789012.dkr.ecr.eu-west-1.amazonaws.com/backend/api:sha-1a2b3c4", true),
            new("registry.example.com/team/app", true),
            new("registry.example.com:5000/team/app:1.0", true),
            new("registry.example.com/team/app@" + Sha256, true),
            new("registry.example.com:5000/team/app:1.0@" + Sha256, true),
            new("UPPER.example.com/app:1", true),
            new("example.com:8080/x:y", true),
            new("10.0.0.5:5000/ops/tool:2.3", true),
            new("192.168.1.10/app", true),
            new("[fe80::1]:5000/app:1", true),
            new("[2001:db8::42]/team/app@" + Sha256, true),
            new("localhost/app", true),
            new("localhost:5000/team/app:dev", true),
            new("my-registry.internal.example.com:443/a/b/c/d/e/service:2024.01.15", true),

            // Invalid: uppercase, tags, digests, empty parts, blanks, URLs, length.
            new("Ubuntu", false),
            new("library/Redis:7", false),
            new("registry.example.com/Team/app:1", false),
            new("ubuntu:bad!tag", false),
            new("ubuntu:-leading-dash", false),
            new("ubuntu:" + new string('t', 129), false),
            new("ubuntu@sha256:xyz", false),
            new("ubuntu@sha256:" + new string('a', 63), false),
            new("ubuntu@sha256:" + new string('A', 64), false),
            new(string.Empty, false),
            new(":tag", false),
            new("foo bar", false),
            new(" ubuntu", false),
            new("ubuntu:", false),
            new("ubuntu@", false),
            new("-abc", false),
            new("a//b", false),
            new("registry.example.com:port/app", false),
            new("https://registry.example.com/app", false),
            new(string.Join('/', Enumerable.Repeat(new string('n', 63), 5)), false),
        ];

        if (cases.Length != Count)
        {
            throw new InvalidOperationException($"ReferenceSet.Count is {Count} but the set has {cases.Length} references: update the constant.");
        }

        return cases;
    }

    internal sealed record Case(string Text, bool Valid)
    {
        public override string ToString() => Text.Length > 60 ? Text[..57] + "..." : Text;
    }
}
