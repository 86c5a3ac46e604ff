using System.CommandLine;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Registries.Core;
using Registries.Core.Interop;

namespace Registries.Cli.Commands;

// kubelet-credential-provider ENV [--cache-duration D] [--print-config]: the kubelet's exec plugin. The kubelet runs
// it for each image its CredentialProviderConfig sends here, writes one CredentialProviderRequest on stdin and reads
// the CredentialProviderResponse on stdout; whatever goes wrong is one line on stderr and a non-zero exit, which the
// kubelet logs. stdout holds the password (the protocol's answer) and nothing else.
internal static partial class KubeletCredentialProviderCommand
{
    public const string Name = "kubelet-credential-provider";

    // The native provider's executable (samples/Registries.KubeletCredentialProvider): the same arguments, without the
    // command's name.
    public const string NativeName = "registries-kubelet-credential-provider";

    public static Command Create(CommandRunner runner)
    {
        var environment = new Argument<string>("ENV") { Description = "The environment's id or name." };
        var cacheDuration = new Option<string?>("--cache-duration")
        {
            Description = $"How long the kubelet keeps an answer for a registry before it asks again, in whole seconds written as Go does (30s, 5m, 1h), from 1s to 24h. Default: {KubeletDuration.Format(KubeletCredentialProviderOptions.DefaultCacheDuration)}: a deactivation reaches the nodes within that time.",
            HelpName = "DURATION",
        };
        var printConfig = new Option<bool>("--print-config")
        {
            Description = "Print the kubelet's CredentialProviderConfig (YAML, for --image-credential-provider-config) that sends the environment's registries to this provider with this store, key file, user and cache duration, instead of answering a request.",
        };
        var native = new Option<bool>("--native")
        {
            Description = $"With --print-config: configure the native {NativeName} executable (published from samples/Registries.KubeletCredentialProvider, no .NET runtime on the node, an answer in milliseconds) instead of this registries program.",
        };
        var command = new Command(
            Name,
            "Answer the kubelet's image credential provider protocol (credentialprovider.kubelet.k8s.io/v1): read one "
            + "CredentialProviderRequest on stdin, resolve its image for the environment, and print the "
            + "CredentialProviderResponse (auth for the image's registry; empty when the pull is anonymous). A denied pull "
            + "prints the reason on stderr and exits with 3; the kubelet then logs it and pulls without a credential from "
            + "this provider. Owners and members only.")
        {
            environment,
            cacheDuration,
            printConfig,
            native,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.ParseResult;
            var duration = parse.GetValue(cacheDuration) is { } text ? KubeletDuration.Parse(text) : KubeletCredentialProviderOptions.DefaultCacheDuration;

            // The rules are the library's: 0s, a negative or an absurd duration fails here, before the store is read.
            var provider = new KubeletCredentialProvider(context.Registries, Options.Create(new KubeletCredentialProviderOptions { CacheDuration = duration }));
            var environmentId = await context.EnvironmentIdAsync(parse.GetRequiredValue(environment), cancellationToken);
            if (parse.GetValue(printConfig))
            {
                return await PrintConfigurationAsync(context, runner, provider, environmentId, duration, parse.GetValue(native), cancellationToken);
            }

            if (parse.GetValue(native))
            {
                throw new ArgumentException("--native goes with --print-config: it chooses the executable the configuration names.");
            }

            if (!context.Console.IsInputRedirected || StandardInput.IsClosed())
            {
                throw new ArgumentException($"{Name} reads the kubelet's CredentialProviderRequest on stdin: the kubelet runs it with a pipe; to try it, pipe one, for example 'echo '{{\"apiVersion\":\"{KubeletCredentialRequest.ApiVersionV1}\",\"kind\":\"{KubeletCredentialRequest.Kind}\",\"image\":\"registry.example.com/app:1.0\"}}' | registries {Name} ENV'.");
            }

            var request = await KubeletCredentialRequest.ReadAsync(context.Console.In, cancellationToken);
            var response = await provider.ProvideAsync(environmentId, request, cancellationToken);
            if (!response.HasDocument)
            {
                // Unavailable is an outside failure (a source failed); Denied and a token the protocol cannot carry are refusals.
                var unavailable = response.Outcome == ResolutionOutcome.Unavailable;
                runner.WriteError($"{(unavailable ? "unavailable" : response.Outcome == ResolutionOutcome.Denied ? "denied" : "refused")}: {request.Reference}: {response.Refusal}");
                return unavailable ? ExitCodes.Failure : ExitCodes.Refused;
            }

            context.Console.Out.Write(response.ToJson());
            await context.Console.Out.FlushAsync(cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<int> PrintConfigurationAsync(CliContext context, CommandRunner runner, KubeletCredentialProvider provider, string environmentId, TimeSpan duration, bool native, CancellationToken cancellationToken)
    {
        // The provider answers for this user; one who may not use the credentials would be refused at every pull.
        await context.Registries.EnsurePermissionAsync(environmentId, RegistryPermission.UseCredentials, cancellationToken);
        var store = context.StorePath;
        if (CliStore.IsDatabase(store) && HoldsPassword(store))
        {
            throw new ArgumentException("--print-config would write the database password of --store into the kubelet's configuration: name the store without its password and give it to the provider in the config's env as PGPASSWORD.");
        }

        List<string> arguments = native ? [environmentId, "--store", store] : [Name, environmentId, "--store", store];
        if (context.KeyFilePath is { } keyFile)
        {
            arguments.AddRange(["--key-file", keyFile]);
        }

        arguments.AddRange(["--as", context.Actor, "--cache-duration", KubeletDuration.Format(duration)]);
        string configuration;
        try
        {
            configuration = await provider.CreateConfigurationAsync(environmentId, native ? NativeName : "registries", arguments, cancellationToken);
        }
        catch (InvalidOperationException exception)
        {
            // No registry yet: a state of the environment, not a fault.
            runner.WriteError(exception.Message);
            return ExitCodes.Refused;
        }

        context.Console.Out.Write(configuration);
        return ExitCodes.Success;
    }

    private static bool HoldsPassword(string store)
        => store.Contains("password", StringComparison.OrdinalIgnoreCase) || UserInfoWithPassword().IsMatch(store);

    [GeneratedRegex("://[^/@]*:[^/@]*@", RegexOptions.CultureInvariant)]
    private static partial Regex UserInfoWithPassword();
}
