using System.Buffers;
using System.Text.Json;

namespace Registries.Core.Shared;

/// <summary>How a durable store writes an environment's policy rules and mirrors and reads them back: the parts as text
/// (a rule's scope as <c>HOST[:PORT][/PATH]</c>, its effect as <c>allow</c> or <c>deny</c>; a mirror's upstream and
/// address, its rewrite's expression and replacement as given), in order, so that the stored text never depends on an
/// enum's numbers. Every store package links this one source (see src/Shared).</summary>
/// <remarks>Reading checks every rule the model has (a valid scope, a known effect, no digest-only deny rule, one rule
/// per scope; valid addresses, no pattern and no mirror of itself, a rewrite that parses, one mirror per upstream and
/// address) and throws <see cref="StoredPolicyException"/> whose message names the rule or mirror, by its place and
/// never by more stored text than the parsers' own escaped quotes, and says what to fix. The store adds the
/// environment and where it lives.</remarks>
internal static class StoredPolicy
{
    /// <summary>The stored spelling of <see cref="PolicyEffect.Allow"/>.</summary>
    public const string Allow = "allow";

    /// <summary>The stored spelling of <see cref="PolicyEffect.Deny"/>.</summary>
    public const string Deny = "deny";

    /// <summary>Returns the stored spelling of an effect.</summary>
    /// <param name="effect">The effect.</param>
    /// <returns><c>allow</c> or <c>deny</c>.</returns>
    public static string EffectName(PolicyEffect effect) => effect == PolicyEffect.Deny ? Deny : Allow;

    /// <summary>Returns the stored text of a rule's scope, which <see cref="RegistryScope.ParseScope"/> reads back as the same scope.</summary>
    /// <param name="scope">The scope.</param>
    /// <returns>For example <c>registry.example.com:5000/team</c> or <c>*.corp.example</c>.</returns>
    public static string ScopeText(RegistryScope scope) => scope.ToString();

    /// <summary>Reads one stored rule.</summary>
    /// <param name="index">The rule's place, from 0.</param>
    /// <param name="scope">The stored scope.</param>
    /// <param name="effect">The stored effect.</param>
    /// <param name="digestOnly">The stored digest flag.</param>
    /// <returns>The rule.</returns>
    /// <exception cref="StoredPolicyException">A part is missing or invalid.</exception>
    public static PolicyRule ReadRule(int index, string? scope, string? effect, bool digestOnly)
    {
        var where = $"policy rule {index + 1}";
        if (string.IsNullOrEmpty(scope))
        {
            throw new StoredPolicyException($"{where} has no scope: give it one (HOST[:PORT][/PATH] or *.PATTERN), or remove the rule");
        }

        RegistryScope parsed;
        try
        {
            parsed = RegistryScope.ParseScope(scope);
        }
        catch (RegistryAddressFormatException e)
        {
            throw new StoredPolicyException($"{where} has a scope that is not valid ({e.Message.TrimEnd('.')}): correct it or remove the rule");
        }

        var kind = effect switch
        {
            Allow => PolicyEffect.Allow,
            Deny => PolicyEffect.Deny,
            _ => throw new StoredPolicyException($"{where} ({parsed}) has an effect that is neither '{Allow}' nor '{Deny}': write one of them"),
        };
        if (kind == PolicyEffect.Deny && digestOnly)
        {
            throw new StoredPolicyException($"{where} ({parsed}) is a digest-only deny rule, which does not exist (only an allow rule can be digest-only): drop 'digestOnly' or make it an allow rule");
        }

        return PolicyRule.Create(parsed, kind, digestOnly);
    }

    /// <summary>Builds a policy from stored rules, in order.</summary>
    /// <param name="rules">The rules.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="StoredPolicyException">Two rules have the same scope.</exception>
    public static RegistryPolicy ReadPolicy(IReadOnlyList<PolicyRule> rules)
    {
        if (rules.Count == 0)
        {
            return RegistryPolicy.Empty;
        }

        var seen = new Dictionary<RegistryScope, int>();
        for (var i = 0; i < rules.Count; i++)
        {
            if (!seen.TryAdd(rules[i].Scope, i))
            {
                var first = seen[rules[i].Scope];
                throw new StoredPolicyException($"policy rules {first + 1} and {i + 1} both have the scope {rules[first].Scope} (a scope has at most one rule): remove one of them");
            }
        }

        return RegistryPolicy.Create(rules);
    }

    /// <summary>Reads one stored mirror.</summary>
    /// <param name="index">The mirror's place, from 0.</param>
    /// <param name="upstream">The stored upstream address.</param>
    /// <param name="address">The stored mirror address.</param>
    /// <param name="hasRewrite">Whether a rewrite is stored.</param>
    /// <param name="pattern">The rewrite's stored expression.</param>
    /// <param name="replacement">The rewrite's stored replacement.</param>
    /// <param name="mirrorOnly">The stored mirror-only flag.</param>
    /// <returns>The mirror.</returns>
    /// <exception cref="StoredPolicyException">A part is missing or invalid.</exception>
    public static RegistryMirror ReadMirror(int index, string? upstream, string? address, bool hasRewrite, string? pattern, string? replacement, bool mirrorOnly)
    {
        var where = $"mirror {index + 1}";
        var upstreamAddress = Address(where, "upstream", upstream);
        var mirrorAddress = Address(where, "address", address);
        where = $"mirror {index + 1} ({mirrorAddress} of {upstreamAddress})";
        MirrorRewrite? rewrite = null;
        if (hasRewrite)
        {
            if (pattern is null || replacement is null)
            {
                throw new StoredPolicyException($"{where} has a rewrite without {(pattern is null ? "an expression" : "a replacement")}: give both, or remove the rewrite");
            }

            try
            {
                rewrite = MirrorRewrite.Parse(pattern, replacement);
            }
            catch (RegistryRuleException e)
            {
                throw new StoredPolicyException($"{where} has a rewrite that does not parse ({e.Message.TrimEnd('.')}): correct it or remove the rewrite");
            }
        }

        try
        {
            return RegistryMirror.Create(upstreamAddress, mirrorAddress, rewrite, mirrorOnly);
        }
        catch (RegistryRuleException e)
        {
            throw new StoredPolicyException($"{where} is not valid ({e.Message.TrimEnd('.')}): correct or remove it");
        }
    }

    /// <summary>Builds the mirrors from stored ones, in order.</summary>
    /// <param name="mirrors">The mirrors.</param>
    /// <returns>The mirrors.</returns>
    /// <exception cref="StoredPolicyException">Two mirrors have the same upstream and address.</exception>
    public static RegistryMirrors ReadMirrors(IReadOnlyList<RegistryMirror> mirrors)
    {
        if (mirrors.Count == 0)
        {
            return RegistryMirrors.Empty;
        }

        var seen = new Dictionary<(RegistryAddress, RegistryAddress), int>();
        for (var i = 0; i < mirrors.Count; i++)
        {
            if (!seen.TryAdd((mirrors[i].Upstream, mirrors[i].Address), i))
            {
                var first = mirrors[seen[(mirrors[i].Upstream, mirrors[i].Address)]];
                throw new StoredPolicyException($"mirrors {seen[(first.Upstream, first.Address)] + 1} and {i + 1} are both {first.Address} of {first.Upstream} (a mirror is listed once per upstream): remove one of them");
            }
        }

        return RegistryMirrors.Create(mirrors);
    }

    /// <summary>Writes a policy as a JSON array of <c>{"scope", "effect", "digestOnly"}</c> objects, in order.</summary>
    /// <param name="policy">The policy.</param>
    /// <returns>The JSON text (<c>[]</c> for no rule).</returns>
    public static string WritePolicyJson(RegistryPolicy policy)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var rule in policy.Rules)
            {
                writer.WriteStartObject();
                writer.WriteString("scope", ScopeText(rule.Scope));
                writer.WriteString("effect", EffectName(rule.Effect));
                writer.WriteBoolean("digestOnly", rule.DigestOnly);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes mirrors as a JSON array of <c>{"upstream", "address", "rewrite": {"pattern", "replacement"}, "mirrorOnly"}</c>
    /// objects (no <c>rewrite</c> when there is none), in order.</summary>
    /// <param name="mirrors">The mirrors.</param>
    /// <returns>The JSON text (<c>[]</c> for no mirror).</returns>
    public static string WriteMirrorsJson(RegistryMirrors mirrors)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var mirror in mirrors.All)
            {
                writer.WriteStartObject();
                writer.WriteString("upstream", mirror.Upstream.ToString());
                writer.WriteString("address", mirror.Address.ToString());
                if (mirror.Rewrite is { } rewrite)
                {
                    writer.WriteStartObject("rewrite");
                    writer.WriteString("pattern", rewrite.Pattern);
                    writer.WriteString("replacement", rewrite.Replacement);
                    writer.WriteEndObject();
                }

                writer.WriteBoolean("mirrorOnly", mirror.MirrorOnly);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads a policy that <see cref="WritePolicyJson"/> wrote.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="StoredPolicyException">The text is not such an array, or a rule is invalid.</exception>
    public static RegistryPolicy ReadPolicyJson(string json)
    {
        using var document = Parse(json, "policy");
        var rules = new List<PolicyRule>();
        var index = 0;
        foreach (var element in Elements(document, "policy"))
        {
            rules.Add(ReadRule(index, String(element, "scope", $"policy rule {index + 1}"), String(element, "effect", $"policy rule {index + 1}"), Boolean(element, "digestOnly", $"policy rule {index + 1}")));
            index++;
        }

        return ReadPolicy(rules);
    }

    /// <summary>Reads mirrors that <see cref="WriteMirrorsJson"/> wrote.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The mirrors.</returns>
    /// <exception cref="StoredPolicyException">The text is not such an array, or a mirror is invalid.</exception>
    public static RegistryMirrors ReadMirrorsJson(string json)
    {
        using var document = Parse(json, "mirrors");
        var mirrors = new List<RegistryMirror>();
        var index = 0;
        foreach (var element in Elements(document, "mirrors"))
        {
            var where = $"mirror {index + 1}";
            string? pattern = null;
            string? replacement = null;
            var hasRewrite = element.TryGetProperty("rewrite", out var rewrite) && rewrite.ValueKind != JsonValueKind.Null;
            if (hasRewrite)
            {
                if (rewrite.ValueKind != JsonValueKind.Object)
                {
                    throw new StoredPolicyException($"{where} has a rewrite that is not an object with 'pattern' and 'replacement': correct it or remove the rewrite");
                }

                pattern = String(rewrite, "pattern", where + "'s rewrite");
                replacement = String(rewrite, "replacement", where + "'s rewrite");
            }

            mirrors.Add(ReadMirror(index, String(element, "upstream", where), String(element, "address", where), hasRewrite, pattern, replacement, Boolean(element, "mirrorOnly", where)));
            index++;
        }

        return ReadMirrors(mirrors);
    }

    private static RegistryAddress Address(string where, string part, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw new StoredPolicyException($"{where} has no {part}: give it one (HOST[:PORT]), or remove the mirror");
        }

        try
        {
            return RegistryAddress.Parse(text);
        }
        catch (RegistryAddressFormatException e)
        {
            throw new StoredPolicyException($"{where} has an {part} that is not valid ({e.Message.TrimEnd('.')}): correct it or remove the mirror");
        }
    }

    private static JsonDocument Parse(string json, string what)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            throw new StoredPolicyException($"its {what} is not valid JSON: write a JSON array ([] for none)");
        }
    }

    private static JsonElement.ArrayEnumerator Elements(JsonDocument document, string what)
    {
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new StoredPolicyException($"its {what} is not a JSON array: write one ([] for none)");
        }

        foreach (var element in document.RootElement.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw new StoredPolicyException($"its {what} holds something other than objects: remove it");
            }
        }

        return document.RootElement.EnumerateArray();
    }

    private static string? String(JsonElement element, string name, string where)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new StoredPolicyException($"{where} has a '{name}' that is not text: correct it");
    }

    private static bool Boolean(JsonElement element, string name, string where)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new StoredPolicyException($"{where} has a '{name}' that is not true or false: correct it"),
        };
    }
}

/// <summary>A stored policy rule or mirror breaks a rule of the model; the store turns it into its own error, naming the
/// environment and where it lives.</summary>
/// <param name="detail">What is wrong and what to fix, starting in lowercase (the store names the environment first).</param>
internal sealed class StoredPolicyException(string detail) : Exception(detail);
