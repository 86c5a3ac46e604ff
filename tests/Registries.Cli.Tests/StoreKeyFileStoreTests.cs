using System.Text;

namespace Registries.Cli.Tests;

/// <summary>The key commands on a store file (<see cref="StoreKeyTests"/>).</summary>
public sealed class StoreKeyFileStoreTests : StoreKeyTests
{
    protected override string[] Store => ["--store", Cli.StorePath, "--key-file", KeyPath];

    protected override async Task<string> StoredTextAsync() => Encoding.Latin1.GetString(await File.ReadAllBytesAsync(Cli.StorePath));

    [Fact]
    public async Task Keys_MissingStoreFile_IsBadInputAndCreatesNothing()
    {
        var result = await Cli.RunAsync(["store", "keys", .. Store]);

        Assert.Contains("no store file", result.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.False(File.Exists(Cli.StorePath));
        Assert.False(File.Exists(KeyPath));
    }
}
