using Registries.Core;
using Registries.Core.DependencyInjection;
using Registries.Core.Storage;

namespace Registries.Core.DependencyInjection.Tests;

/// <summary>A consumer with the SDK's implicit usings (System, System.IO, …) and our namespaces must compile without a clash.</summary>
public sealed class ImplicitUsingsConsumerTests
{
    [Fact]
    public void ConsumerCode_UsesSystemEnvironmentBesideOurTypes_Compiles()
    {
        // 'Environment' must still mean System.Environment here: the library has no type of that name.
        var newline = Environment.NewLine;
        var environmentType = typeof(RegistryEnvironment);
        var storeType = typeof(IRegistryStore);
        var builderType = typeof(IRegistriesBuilder);

        Assert.False(string.IsNullOrEmpty(newline));
        Assert.DoesNotContain(
            new[] { environmentType.Assembly, storeType.Assembly, builderType.Assembly }.SelectMany(a => a.GetExportedTypes()),
            t => t.Name is "Environment" or "Path" or "File" or "Directory" or "Task" or "Thread");
    }
}
