using System.Text;
using Registries.Cli;
using Registries.Core.Interop;
using Registries.Samples.Shared;

// docker-credential-registries [--store S] [--key-file K] [--as USER] --environment ID [--] VERB
//
// What `registries credential-helper install --native PATH` runs: one verb of Docker's credential helper protocol
// (get, list, store, erase, version), answered by the library's DockerCredentialHelper from the environment's rules at
// this moment. Every failure, of the command line and of the store too, is the protocol's failure: one line on stdout
// (where the docker CLI reads it) and on stderr (for a person), exit code 1; never a password, never a stack trace.
string[] known = ["--store", "--key-file", "--as", "--environment"];
var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = false };
var stderr = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true };
NativeStore? store = null;
try
{
    var line = NativeCommandLine.Parse(args, known);
    if (line.Words.Count != 1)
    {
        return await FailAsync($"usage: {DockerCredentialHelper.ProgramName} [--store STORE] [--key-file FILE] [--as USER] --environment ID <get|list|store|erase|version>");
    }

    var environment = line.Value("--environment");
    if (string.IsNullOrWhiteSpace(environment))
    {
        return await FailAsync("--environment is missing: give the environment's id (registries credential-helper install writes it for you).");
    }

    var storePath = line.StorePath();
    store = NativeStore.Open(storePath, line.KeyFilePath(storePath), line.Caller(), "install the helper again with the right --store (registries --store STORE credential-helper install ENV --native PATH).");
    var helper = new DockerCredentialHelper(store.Registries, environment);

    // A closed stdin (`<&-`) could leave descriptor 0 to a file the process opened: read nothing instead.
    using var input = StandardInput.IsClosed()
        ? new StreamReader(Stream.Null)
        : new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);
    var code = await helper.RunAsync(line.Words[0], input, stdout, stderr);
    await stdout.FlushAsync();
    return code;
}
catch (Exception exception) when (exception is not OperationCanceledException)
{
    // The store or the key cannot be used (a wrong --key-file, an unreadable file, a database that is down), or the
    // command line is wrong: one line where the client reads it, exit 1 as the protocol's helpers do.
    return await FailAsync(NativeErrors.MessageOf(exception));
}
finally
{
    if (store is not null)
    {
        await store.DisposeAsync();
    }
}

async Task<int> FailAsync(string message)
{
    var text = NativeErrors.OneLine(message);
    await stdout.WriteAsync(text + "\n");
    await stdout.FlushAsync();
    await stderr.WriteAsync(DockerCredentialHelper.ProgramName + ": " + text + "\n");
    return DockerCredentialHelper.Failure;
}
