using System.Text.Encodings.Web;
using System.Text.Json;

namespace Registries.Core.Interop;

/// <summary>Writes an environment's policy as containers' <c>policy.json</c> (containers-policy.json(5)), never wider
/// than the policy, and lists where it is narrower.</summary>
/// <remarks>
/// <para>policy.json applies the requirements of the MOST SPECIFIC scope present for an image (its name, each parent
/// namespace, the host with its port, then <c>*.</c> and each parent domain of the host, any depth, port stripped),
/// whereas our policy lets a covering deny rule win over a more specific allow rule. So every key is given the verdict
/// our policy reaches for everything under it (<see cref="ContainersScopes.Verdict"/>): an allow rule under a deny
/// rule is written <c>reject</c>, and where a host pattern's deny rule has a path, the hosts of concrete rules it
/// covers get a <c>reject</c> key at that path, above which their accept would otherwise win.</para>
/// <para>Accept keys are concrete scopes only, which policy.json matches exactly. A host pattern's allow rule is not
/// written (<c>*.corp.example</c> would accept deeper hosts and every port): its images meet the default reject. A
/// host pattern's deny rule is written as the wider <c>*.</c> wildcard (narrower, noted). A digest-only scope is
/// rejected, since policy.json cannot require a digest (narrower, noted).</para>
/// </remarks>
internal static class PolicyJsonDocument
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static (byte[] Json, IReadOnlyList<string> Notes) Build(RegistryPolicy policy)
    {
        var notes = new List<string>();
        var keys = new SortedDictionary<string, bool>(StringComparer.Ordinal);
        var concrete = policy.Rules.Where(r => !r.Scope.Address.IsPattern).ToList();
        var fresh = ContainersScopes.FreshComponent(policy.Rules.Select(r => r.Scope.Path));

        // The scopes written: every concrete rule's, and, under a pattern deny rule with a path, that path on each
        // concrete host it covers (an accept key on the host would otherwise decide there).
        var scopes = new List<(RegistryAddress Address, string Path)>();
        scopes.AddRange(concrete.Select(r => (r.Scope.Address, r.Scope.Path)));
        foreach (var deny in policy.Rules.Where(r => r.Effect == PolicyEffect.Deny && r.Scope.Address.IsPattern && !r.Scope.IsHostLevel))
        {
            foreach (var address in concrete.Select(r => r.Scope.Address).Distinct().Where(deny.Scope.Address.Covers))
            {
                scopes.Add((address, deny.Scope.Path));
            }
        }

        foreach (var (address, path) in scopes)
        {
            var key = ContainersScopes.Key(address, path);
            if (keys.ContainsKey(key))
            {
                continue;
            }

            var (byTag, byDigest, _) = ContainersScopes.Verdict(policy, address, path, fresh);
            keys[key] = byTag && byDigest;
            if (!byTag && byDigest)
            {
                notes.Add($"{key}: allowed by digest only here, but policy.json cannot require a digest: it rejects {key} altogether, so pulls by digest are refused too (never widened to pulls by tag).");
            }
        }

        foreach (var rule in policy.Rules.Where(r => r.Scope.Address.IsPattern))
        {
            if (rule.Effect == PolicyEffect.Deny)
            {
                var wildcard = ContainersScopes.Wildcard(rule.Scope.Address);
                keys[wildcard] = false;
                notes.Add($"{rule.Scope}: denied, written as policy.json's '{wildcard}', which also rejects {ContainersScopes.Widening(rule.Scope)}.");
            }
            else
            {
                notes.Add($"{rule.Scope}: allowed here, but not accepted by policy.json: its '{ContainersScopes.Wildcard(rule.Scope.Address)}' would also accept {ContainersScopes.Widening(rule.Scope)}; the default reject refuses these images (allow their registries by address instead).");
            }
        }

        if (!policy.HasAllowRules && policy.Rules.Any(r => r.Effect == PolicyEffect.Deny && ContainersScopes.HasLetters(r.Scope.Address)))
        {
            notes.Add("deny rules: policy.json compares host names as written and accepts by default (the policy has no allow rule): an image whose host is written with capitals (EVIL.example/app) or as registry-1.docker.io escapes a reject written in lowercase; add allow rules, so that the default is reject.");
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("default");
            WriteRequirement(writer, accept: !policy.HasAllowRules);
            writer.WriteEndArray();
            if (keys.Count > 0)
            {
                writer.WriteStartObject("transports");
                writer.WriteStartObject("docker");
                foreach (var (key, accept) in keys)
                {
                    writer.WriteStartArray(key);
                    WriteRequirement(writer, accept);
                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return (buffer.ToArray(), notes);
    }

    private static void WriteRequirement(Utf8JsonWriter writer, bool accept)
    {
        writer.WriteStartObject();
        writer.WriteString("type", accept ? "insecureAcceptAnything" : "reject");
        writer.WriteEndObject();
    }
}
