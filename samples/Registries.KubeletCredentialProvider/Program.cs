using System.Text;
using Microsoft.Extensions.Options;
using Registries.Core;
using Registries.Core.Interop;
using Registries.Samples.Shared;

// registries-kubelet-credential-provider ENV_ID [--store S] [--key-file K] [--as USER] [--cache-duration D]
//
// The kubelet's exec credential provider (credentialprovider.kubelet.k8s.io/v1), as `registries
// kubelet-credential-provider ENV --print-config --native` configures it: one CredentialProviderRequest on stdin, the
// CredentialProviderResponse on stdout (the protocol's answer, the only place a password goes). Whatever goes wrong is
// one line on stderr and the registries CLI's exit codes: 2 bad input, 3 denied or not permitted, 4 an outside failure.
const string Name = "registries-kubelet-credential-provider";
const int BadInput = 2;
const int Refused = 3;
const int Failure = 4;
string[] known = ["--store", "--key-file", "--as", "--cache-duration"];
var stderr = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true };
NativeStore? store = null;
try
{
    var line = NativeCommandLine.Parse(args, known);
    if (line.Words.Count != 1)
    {
        throw new ArgumentException($"usage: {Name} ENV_ID [--store STORE] [--key-file FILE] [--as USER] [--cache-duration DURATION]; the kubelet runs it with the args of its CredentialProviderConfig (registries kubelet-credential-provider ENV --print-config --native prints one).");
    }

    var duration = line.Value("--cache-duration") is { } text ? KubeletDuration.Parse(text) : KubeletCredentialProviderOptions.DefaultCacheDuration;
    var storePath = line.StorePath();
    if (Console.IsInputRedirected is false || Registries.Cli.StandardInput.IsClosed())
    {
        throw new ArgumentException($"{Name} reads the kubelet's CredentialProviderRequest on stdin: the kubelet runs it with a pipe; to try it, pipe one, for example 'echo '{{\"apiVersion\":\"{KubeletCredentialRequest.ApiVersionV1}\",\"kind\":\"{KubeletCredentialRequest.Kind}\",\"image\":\"registry.example.com/app:1.0\"}}' | {Name} ENV_ID'.");
    }

    store = NativeStore.Open(storePath, line.KeyFilePath(storePath), line.Caller(), "give the store the registries CLI uses (--store), as --print-config --native writes it.");

    // The rules are the library's: 0s, a negative or an absurd duration fails here, before the store is read.
    var provider = new KubeletCredentialProvider(store.Registries, Options.Create(new KubeletCredentialProviderOptions { CacheDuration = duration }));
    KubeletCredentialRequest request;
    using (var input = Console.OpenStandardInput())
    {
        request = await KubeletCredentialRequest.ReadAsync(input);
    }

    var response = await provider.ProvideAsync(line.Words[0], request);
    if (response.Outcome == ResolutionOutcome.Denied)
    {
        await stderr.WriteAsync($"{Name}: " + NativeErrors.OneLine($"denied: {request.Reference}: {response.Resolution.Reason}") + "\n");
        return Refused;
    }

    // A credential source that failed: no document (never an anonymous answer in its place), an outside failure.
    if (response.Outcome is not (ResolutionOutcome.Authenticated or ResolutionOutcome.Anonymous))
    {
        await stderr.WriteAsync($"{Name}: " + NativeErrors.OneLine($"unavailable: {request.Reference}: {response.Resolution.Reason}") + "\n");
        return Failure;
    }

    using (var output = Console.OpenStandardOutput())
    {
        await response.WriteAsync(output);
    }

    return 0;
}
catch (Exception exception)
{
    await stderr.WriteAsync($"{Name}: " + NativeErrors.MessageOf(exception) + "\n");
    return exception switch
    {
        RegistryRuleException => Refused,
        MissingCallerException or EnvironmentNotFoundException or ArgumentException or FormatException or OptionsValidationException => BadInput,
        _ => Failure,
    };
}
finally
{
    if (store is not null)
    {
        await store.DisposeAsync();
    }
}
