namespace Registries.Core.Interop.Tests.Sources;

/// <summary>A kubelet credential provider plugin that follows the exec protocol (a Python script): it reads the
/// CredentialProviderRequest on stdin, refuses one that is not well formed, writes what it received (request, args,
/// environment) where REQUEST_LOG says, and answers from its arguments:
/// <c>--auth KEY=USER:PASSWORD</c> (repeatable), <c>--cache-key-type T</c>, <c>--cache-duration D</c> (omitted when
/// absent), <c>--fail MESSAGE</c>, <c>--response-api-version V</c>.</summary>
internal static class KubeletPluginFixture
{
    public const string Script = """
        #!/usr/bin/python3
        import json, os, sys
        args = sys.argv[1:]
        def take(flag, default=None):
            values = [args[i + 1] for i, a in enumerate(args) if a == flag]
            return values if flag == "--auth" else (values[-1] if values else default)
        request = json.loads(sys.stdin.read())
        log = os.environ.get("REQUEST_LOG")
        if log:
            with open(log, "w") as f:
                json.dump({"request": request, "args": args, "env": dict(os.environ)}, f)
        if request.get("kind") != "CredentialProviderRequest" or not request.get("image"):
            sys.stderr.write("bad request\n")
            sys.exit(1)
        failure = take("--fail")
        if failure:
            sys.stderr.write(failure + "\n")
            sys.exit(1)
        response = {
            "apiVersion": take("--response-api-version", request["apiVersion"]),
            "kind": "CredentialProviderResponse",
            "cacheKeyType": take("--cache-key-type", "Registry"),
            "auth": {},
        }
        duration = take("--cache-duration")
        if duration is not None:
            response["cacheDuration"] = duration
        for entry in take("--auth"):
            key, credential = entry.split("=", 1)
            user, password = credential.split(":", 1)
            response["auth"][key] = {"username": user, "password": password}
        print(json.dumps(response))
        """;

    /// <summary>A config of one provider running the fixture, as a kubelet's YAML file has it.</summary>
    public static string Yaml(string name, string apiVersion, IEnumerable<string> matchImages, IEnumerable<string> args, string defaultCacheDuration = "10m", string? requestLog = null)
    {
        var text = new System.Text.StringBuilder();
        text.Append("apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\nproviders:\n");
        text.Append("  - name: ").Append(name).Append('\n');
        text.Append("    matchImages:\n");
        foreach (var pattern in matchImages)
        {
            text.Append("      - \"").Append(pattern).Append("\"\n");
        }

        text.Append("    defaultCacheDuration: \"").Append(defaultCacheDuration).Append("\"\n");
        text.Append("    apiVersion: ").Append(apiVersion).Append('\n');
        text.Append("    args:\n");
        foreach (var arg in args)
        {
            text.Append("      - '").Append(arg.Replace("'", "''", StringComparison.Ordinal)).Append("'\n");
        }

        if (requestLog is not null)
        {
            text.Append("    env:\n      - name: REQUEST_LOG\n        value: ").Append(requestLog).Append('\n');
        }

        return text.ToString();
    }
}

/// <summary>A clock that says a fixed instant (timers still run on the system clock).</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
