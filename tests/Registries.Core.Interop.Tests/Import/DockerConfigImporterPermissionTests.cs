using System.Text;
using Registries.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>Issue 14: the importer demands the caller's permissions before any work: no file is opened, no helper runs
/// and nothing is sent to a registry for a caller who may not import.</summary>
public sealed class DockerConfigImporterPermissionTests : IDisposable
{
    private const string DefaultEmail = "import@example.com";
    private readonly TestDirectory _directory = new("registries-interop-");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task ImportFileAsync_ReadOnlyMemberFifo_PermissionDeniedAndTheFifoIsNeverOpened()
    {
        var fifo = _directory.Combine("config.json");
        DockerConfigImporterSafetyTests.MakeFifo(fifo);
        var domain = await Domain.CreateAsync();
        var writer = await OpenForWritingAsync(fifo);
        try
        {
            await Assert.ThrowsAsync<PermissionDeniedException>(
                () => Domain.Importer(domain.As("reader")).ImportFileAsync(domain.EnvironmentId, fifo, DefaultEmail).WaitAsync(TimeSpan.FromSeconds(20)));

            // A writer's open(2) of a FIFO returns only once a reader opened it: still waiting means nobody did.
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            Assert.False(writer.IsCompleted, "the importer opened the FIFO for a ReadOnly member");
        }
        finally
        {
            await ReleaseAsync(fifo, writer);
        }
    }

    [Fact]
    public async Task ImportFileAsync_OwnerFifo_IsOpenedAndRefusedAsNotARegularFile()
    {
        // The control of the test above: the same FIFO, imported by someone allowed to, is opened (and then refused).
        var fifo = _directory.Combine("config.json");
        DockerConfigImporterSafetyTests.MakeFifo(fifo);
        var domain = await Domain.CreateAsync();
        var writer = await OpenForWritingAsync(fifo);
        try
        {
            var error = await Assert.ThrowsAsync<IOException>(
                () => Domain.Importer(domain.Service).ImportFileAsync(domain.EnvironmentId, fifo, DefaultEmail).WaitAsync(TimeSpan.FromSeconds(20)));

            Assert.Contains("FIFO", error.Message, StringComparison.Ordinal);
            await (await writer.WaitAsync(TimeSpan.FromSeconds(20))).DisposeAsync();
        }
        finally
        {
            await ReleaseAsync(fifo, writer);
        }
    }

    [Fact]
    public async Task ImportFileAsync_ReadOnlyMemberHugeFile_PermissionDeniedInsteadOfTheSizeError()
    {
        var file = _directory.Combine("big.json");
        using (var stream = File.Create(file))
        {
            // Sparse: 64 times the importer's limit, without using the disk.
            stream.SetLength(64L * DockerConfigImporter.MaxConfigBytes);
        }

        var domain = await Domain.CreateAsync();

        var error = await Assert.ThrowsAsync<PermissionDeniedException>(
            () => Domain.Importer(domain.As("reader")).ImportFileAsync(domain.EnvironmentId, file, DefaultEmail).WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.Equal(EnvironmentRole.ReadOnly, error.Role);
        Assert.DoesNotContain(file, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportFileAsync_OutsiderMissingFile_EnvironmentNotFoundInsteadOfFileNotFound()
    {
        var domain = await Domain.CreateAsync();

        await Assert.ThrowsAsync<EnvironmentNotFoundException>(
            () => Domain.Importer(domain.As("mallory")).ImportFileAsync(domain.EnvironmentId, _directory.Combine("missing.json"), DefaultEmail));
    }

    [Fact]
    public async Task ImportAsync_ReadOnlyMemberMalformedDocument_PermissionDeniedBeforeParsing()
    {
        var domain = await Domain.CreateAsync();

        await Assert.ThrowsAsync<PermissionDeniedException>(
            () => Domain.Importer(domain.As("reader")).ImportAsync(domain.EnvironmentId, "not json", DefaultEmail));
    }

    [Fact]
    public async Task ImportAsync_ReadOnlyMemberWithVerification_NothingSentToTheRegistry()
    {
        await using var registry = new ConnectionCounter();
        var domain = await Domain.CreateAsync();
        var verifier = Domain.Verifier(new RegistryVerificationOptions { CertificatesDirectory = _directory.Path, Timeout = TimeSpan.FromSeconds(2) });
        var json = "{\"auths\": {\"" + registry.Address + "\": {\"auth\": \"" + Convert.ToBase64String(Encoding.UTF8.GetBytes("u:CANARY-verify")) + "\"}}}";
        var importer = Domain.Importer(domain.As("reader"), new DockerConfigImportOptions { Verify = true }, verifier);

        await Assert.ThrowsAsync<PermissionDeniedException>(() => importer.ImportAsync(domain.EnvironmentId, json, DefaultEmail));

        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Equal(0, registry.Connections);
    }

    [Fact]
    public async Task ImportAsync_OwnerWithVerification_AsksTheRegistryAndFailsTheEntryItCouldNotCheck()
    {
        // The control of the test above: the same import by the owner does reach the (silent) registry.
        await using var registry = new ConnectionCounter();
        var domain = await Domain.CreateAsync();
        var verifier = Domain.Verifier(new RegistryVerificationOptions { CertificatesDirectory = _directory.Path, Timeout = TimeSpan.FromSeconds(2) });
        var json = "{\"auths\": {\"" + registry.Address + "\": {\"auth\": \"" + Convert.ToBase64String(Encoding.UTF8.GetBytes("u:CANARY-verify")) + "\"}}}";

        var result = await Domain.Importer(domain.Service, new DockerConfigImportOptions { Verify = true }, verifier).ImportAsync(domain.EnvironmentId, json, DefaultEmail);

        var entry = Assert.Single(result.Entries);
        Assert.Equal(DockerConfigImportStatus.Failed, entry.Status);
        Assert.StartsWith("verification: Unreachable", entry.Reason, StringComparison.Ordinal);
        Assert.True(registry.Connections >= 1);
        Assert.Empty(await domain.Service.ListRegistriesAsync(domain.EnvironmentId));
    }

    /// <summary>Starts a writer that blocks in open(2) until someone opens the FIFO for reading, and gives it time to get there.</summary>
    private static async Task<Task<FileStream>> OpenForWritingAsync(string fifo)
    {
        var writer = Task.Factory.StartNew(() => new FileStream(fifo, FileMode.Open, FileAccess.Write), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        return writer;
    }

    private static async Task ReleaseAsync(string fifo, Task<FileStream> writer)
    {
        if (writer.IsCompleted)
        {
            return;
        }

        // Opening the read end lets the waiting writer through, so no thread is left blocked after the test.
        var reader = Task.Factory.StartNew(() => new FileStream(fifo, FileMode.Open, FileAccess.Read), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await (await reader.WaitAsync(TimeSpan.FromSeconds(20))).DisposeAsync();
        await (await writer.WaitAsync(TimeSpan.FromSeconds(20))).DisposeAsync();
    }
}
