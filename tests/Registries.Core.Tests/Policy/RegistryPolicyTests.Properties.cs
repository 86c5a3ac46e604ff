using CsCheck;

namespace Registries.Core.Tests.Policy;

// Property tests: random policies and images from a small alphabet (so that near misses, 'team' and 'team-b', 'host'
// and 'host.evil.io', are frequent) checked against a reference model written over plain strings, and the boundaries
// no rule may ever cross. CsCheck prints the seed of a failing case, which reproduces it.
public sealed partial class RegistryPolicyTests
{
    private const long Iterations = 5_000;

    private static readonly string[] Labels = ["team", "team-b", "teamb", "corp", "example", "evil", "host", "evilhost", "a", "b", "io"];

    private static readonly string[] PathComponents = ["team", "team-b", "teamb", "team.b", "team_b", "a", "b", "app"];

    // Suffixes shared by hosts and patterns, so that patterns cover often and miss by one label often.
    private static readonly string[] Suffixes = ["corp.example", "b.corp.example", "evil.io", "team.corp.example"];

    private static readonly Gen<string> Port = Gen.OneOfConst(string.Empty, string.Empty, string.Empty, ":5000", ":5001");

    private static readonly Gen<string> Host = Gen.OneOf(
        Gen.Select(Gen.OneOfConst(Labels).Array[0, 2], Gen.OneOfConst(Suffixes), Port, (labels, suffix, port) => string.Concat(labels.Select(l => l + ".")) + suffix + port),
        Gen.Select(Gen.OneOfConst(Labels).Array[2, 4], Port, (labels, port) => string.Join('.', labels) + port),
        Gen.Const("docker.io"));

    private static readonly Gen<string[]> Path = Gen.OneOfConst(PathComponents).Array[1, 4];

    // An image: host, path, and a tag, a digest, or both.
    private static readonly Gen<ImageReference> AnImage = Gen.Select(
        Host,
        Path,
        Gen.OneOfConst(":1", "@" + Digest, ":1@" + Digest, string.Empty),
        Gen.Bool,
        (host, path, suffix, upper) => ImageReference.Parse((upper && host != "docker.io" ? host.ToUpperInvariant() : host) + "/" + string.Join('/', path) + suffix));

    // A scope: an address or a pattern (one to two '*' labels over a suffix of two to three labels), and a path prefix or none.
    private static readonly Gen<string> AScope = Gen.Select(
        Gen.OneOf(
            Host,
            Gen.Select(Gen.Int[1, 2], Gen.OneOf(Gen.OneOfConst(Suffixes), Gen.OneOfConst(Labels).Array[2, 3].Select(l => string.Join('.', l))), Port, (stars, suffix, port) => string.Concat(Enumerable.Repeat("*.", stars)) + suffix + port)),
        Gen.OneOfConst(PathComponents).Array[0, 2],
        (address, path) => path.Length == 0 ? address : address + "/" + string.Join('/', path));

    private static readonly Gen<PolicyRule> ARule = Gen.Select(AScope, Gen.Int[0, 2], (scope, kind) => kind switch
    {
        0 => PolicyRule.Deny(RegistryScope.ParseScope(scope)),
        1 => PolicyRule.Allow(RegistryScope.ParseScope(scope)),
        _ => PolicyRule.Allow(RegistryScope.ParseScope(scope), digestOnly: true),
    });

    // Up to six rules, one per scope (a later rule of a scope replaces the earlier, as WithRule does).
    private static readonly Gen<RegistryPolicy> APolicy = ARule.Array[0, 6].Select(rules => rules.Aggregate(RegistryPolicy.Empty, (p, r) => p.WithRule(r)));

    [Fact]
    public void Evaluate_AgreesWithTheReferenceModel()
    {
        // Every kind of decision must come up, or the generators are too sparse to test anything.
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        Gen.Select(APolicy, AImages()).Sample((policy, images) =>
        {
            foreach (var image in images)
            {
                var decision = policy.Evaluate(image);
                seen.AddOrUpdate(
                    (decision.IsAllowed ? "allowed by " : "denied by ") + (decision.Rule is null ? "none" : decision.Rule.Effect + (decision.Rule.DigestOnly ? " digest" : string.Empty) + (decision.Rule.Scope.Address.IsPattern ? " pattern" : string.Empty)),
                    1,
                    (_, n) => n + 1);
                var (allowed, rule) = Model.Evaluate(policy.Rules, image);
                Assert.True(
                    allowed == decision.IsAllowed && Equals(rule, decision.Rule),
                    $"{image} under [{policy}]: model {(allowed ? "allows" : "denies")} by {rule?.ToString() ?? "no rule"}, Evaluate says {decision}");
                Assert.Equal(policy.Rules.Where(r => Model.Covers(r.Scope.ToString(), image)).ToHashSet(), decision.Weighed.ToHashSet());
                Assert.Equal(decision.IsAllowed, decision.Reason is null);
            }
        }, iter: Iterations);

        string[] kinds = ["allowed by none", "denied by none", "denied by Deny", "denied by Deny pattern", "allowed by Allow", "allowed by Allow pattern", "denied by Allow digest", "allowed by Allow digest"];
        Assert.All(kinds, kind => Assert.True(seen.GetValueOrDefault(kind) >= 20, $"only {seen.GetValueOrDefault(kind)} cases {kind}: {string.Join(", ", seen)}"));
    }

    [Fact]
    public void EvaluateAddress_AgreesWithTheReferenceModel_AndNeverDeniesAnAddressWithAnAllowedImage()
    {
        Gen.Select(APolicy, AImages()).Sample((policy, images) =>
        {
            foreach (var image in images)
            {
                var decision = policy.EvaluateAddress(image.Address);
                Assert.True(Model.EvaluateAddress(policy.Rules, image.Address) == decision.IsAllowed, $"{image.Address} under [{policy}]: {decision}");

                // What the credential helper withholds must be withheld from every image of the server.
                if (policy.Evaluate(image).IsAllowed)
                {
                    Assert.True(decision.IsAllowed, $"{image} is allowed under [{policy}], but its address is denied: {decision}");
                }
            }
        }, iter: Iterations);
    }

    [Fact]
    public void PathRule_NeverCoversASiblingThatMerelySharesItsPrefix()
    {
        Gen.Select(Host, Path, Gen.OneOfConst("-b", "b", ".b", "_b", "__b"), Gen.OneOfConst(PathComponents).Array[0, 2]).Sample((host, prefix, tail, below) =>
        {
            var scope = host + "/" + string.Join('/', prefix);
            var sibling = ImageReference.Parse(scope + tail + string.Concat(below.Select(c => "/" + c)) + ":1");
            var policy = RegistryPolicy.Create([PolicyRule.Deny(RegistryScope.ParseScope(scope))]);

            var decision = policy.Evaluate(sibling);

            Assert.True(decision.IsAllowed, $"{scope} covers {sibling}");
            Assert.Empty(decision.Weighed);
        }, iter: Iterations);
    }

    [Fact]
    public void HostRule_NeverCoversALongerOrPrefixedHost()
    {
        Gen.Select(Gen.OneOfConst(Labels).Array[2, 3], Gen.OneOfConst(".evil.io", "evil", ".b"), Gen.OneOfConst("evil", "evil.", "a."), Path).Sample((labels, after, before, path) =>
        {
            var host = string.Join('.', labels);
            var repository = "/" + string.Join('/', path);
            var policy = RegistryPolicy.Create([PolicyRule.Deny(RegistryScope.ParseScope(host))]);

            Assert.True(policy.Evaluate(ImageReference.Parse(host + after + repository)).IsAllowed, $"{host} covers {host + after}");
            Assert.True(policy.Evaluate(ImageReference.Parse(before + host + repository)).IsAllowed, $"{host} covers {before + host}");
            Assert.True(policy.Evaluate(ImageReference.Parse(host + ":5000" + repository)).IsAllowed, $"{host} covers {host}:5000");
            Assert.False(policy.Evaluate(ImageReference.Parse(host.ToUpperInvariant() + repository)).IsAllowed, $"{host} misses {host.ToUpperInvariant()}");
        }, iter: Iterations);
    }

    [Fact]
    public void PatternRule_CoversExactlyOneLabelPerStar()
    {
        Gen.Select(Gen.Int[1, 2], Gen.OneOfConst(Labels).Array[2, 3], Gen.OneOfConst(Labels).Array[0, 4], Path).Sample((stars, suffix, front, path) =>
        {
            var pattern = string.Concat(Enumerable.Repeat("*.", stars)) + string.Join('.', suffix);
            var hostLabels = front.Concat(suffix).ToArray();
            if (hostLabels.Length < 2)
            {
                return;
            }

            var image = ImageReference.Parse(string.Join('.', hostLabels) + "/" + string.Join('/', path));
            var policy = RegistryPolicy.Create([PolicyRule.Deny(RegistryScope.ParseScope(pattern))]);

            Assert.True(policy.Evaluate(image).IsAllowed == (front.Length != stars), $"{pattern} and {image.Address}");
        }, iter: Iterations);
    }

    private static Gen<ImageReference[]> AImages() => AnImage.Array[1, 4];

    // The rules as the documentation states them, over plain strings: nothing of RegistryScope's matching is used.
    private static class Model
    {
        public static (bool Allowed, PolicyRule? Rule) Evaluate(IReadOnlyList<PolicyRule> rules, ImageReference image)
        {
            if (rules.Count == 0)
            {
                return (true, null);
            }

            var covering = rules.Where(r => Covers(r.Scope.ToString(), image)).ToList();
            var deny = MostSpecific(covering.Where(r => r.Effect == PolicyEffect.Deny));
            if (deny is not null)
            {
                return (false, deny);
            }

            var allow = MostSpecific(covering.Where(r => r.Effect == PolicyEffect.Allow));
            if (allow is null)
            {
                return (!rules.Any(r => r.Effect == PolicyEffect.Allow), null);
            }

            return (!allow.DigestOnly || image.Digest is not null, allow);
        }

        public static bool EvaluateAddress(IReadOnlyList<PolicyRule> rules, RegistryAddress address)
        {
            var (host, port) = HostAndPort(address.ToString());
            var hostRules = rules.Where(r => HostCovers(Split(r.Scope.ToString()).Host, host, port)).ToList();
            if (hostRules.Any(r => r.Effect == PolicyEffect.Deny && Split(r.Scope.ToString()).Path.Length == 0))
            {
                return false;
            }

            return !rules.Any(r => r.Effect == PolicyEffect.Allow) || hostRules.Any(r => r.Effect == PolicyEffect.Allow);
        }

        public static bool Covers(string scope, ImageReference image)
        {
            var (scopeHost, scopePath) = Split(scope);
            var (host, port) = HostAndPort(image.Address.ToString());
            if (!HostCovers(scopeHost, host, port))
            {
                return false;
            }

            // A path prefix covers whole components only.
            var prefix = scopePath.Length == 0 ? [] : scopePath.Split('/');
            var components = image.Repository.Split('/');
            return prefix.Length <= components.Length && prefix.SequenceEqual(components.Take(prefix.Length), StringComparer.Ordinal);
        }

        // Exact hosts compare whole (case-insensitively, port included); a pattern's '*'s are one non-empty label each
        // in front of its suffix, with the same port, and never cover Docker Hub.
        private static bool HostCovers(string scopeHost, string host, string port)
        {
            var (patternHost, patternPort) = HostAndPort(scopeHost);
            if (!patternHost.StartsWith('*'))
            {
                return string.Equals(patternHost, host, StringComparison.OrdinalIgnoreCase) && patternPort == port;
            }

            if (patternPort != port || string.Equals(host, "docker.io", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            var patternLabels = patternHost.Split('.');
            var stars = patternLabels.TakeWhile(l => l == "*").Count();
            var hostLabels = host.Split('.');
            return hostLabels.Length == patternLabels.Length
                && hostLabels.Take(stars).All(l => l.Length > 0)
                && hostLabels.Skip(stars).SequenceEqual(patternLabels.Skip(stars), StringComparer.OrdinalIgnoreCase);
        }

        private static PolicyRule? MostSpecific(IEnumerable<PolicyRule> rules)
            => rules.OrderByDescending(Specificity).FirstOrDefault();

        // Exact host before pattern, then more concrete labels, then a longer path.
        private static (int Exact, int Labels, int Segments) Specificity(PolicyRule rule)
        {
            var (host, path) = Split(rule.Scope.ToString());
            var labels = HostAndPort(host).Host.Split('.');
            return (labels[0] == "*" ? 0 : 1, labels.Count(l => l != "*"), path.Length == 0 ? 0 : path.Split('/').Length);
        }

        private static (string Host, string Path) Split(string scope)
        {
            var slash = scope.IndexOf('/', StringComparison.Ordinal);
            return slash < 0 ? (scope, string.Empty) : (scope[..slash], scope[(slash + 1)..]);
        }

        private static (string Host, string Port) HostAndPort(string address)
        {
            var colon = address.LastIndexOf(':');
            return colon < 0 ? (address, string.Empty) : (address[..colon], address[colon..]);
        }
    }
}
