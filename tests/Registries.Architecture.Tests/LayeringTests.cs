using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;

namespace Registries.Architecture.Tests;

/// <summary>The domain references no package and does no I/O; Docker.DotNet appears only in the Docker adapter.</summary>
public sealed class LayeringTests
{
    // Types the domain may use from otherwise forbidden namespaces: parsing values, not doing I/O.
    private static readonly HashSet<string> AllowedTypes =
    [
        "System.Net.IPAddress",
        "System.Net.Sockets.AddressFamily",
    ];

    // Instants are values the domain may hold and compare (an expiry date); reading the clock is not: the time comes in
    // through System.TimeProvider, which a test replaces.
    private static readonly HashSet<string> ClockReads =
    [
        "System.DateTime.get_Now",
        "System.DateTime.get_UtcNow",
        "System.DateTime.get_Today",
        "System.DateTimeOffset.get_Now",
        "System.DateTimeOffset.get_UtcNow",
    ];

    private static readonly string[] ForbiddenNamespaces =
    [
        "System.IO",
        "System.Net",
        "System.Diagnostics.Process",
        "System.Security.Cryptography",
        "Microsoft.Win32",
        "System.Data",
    ];

    private static readonly string[] ForbiddenTypes =
    [
        "System.Console",
        "System.Environment",
        "System.Threading.Thread",
        "System.Net.Http.HttpClient",
    ];

    [Fact]
    public void Domain_ReferencesOnlyTheSharedFramework()
    {
        var frameworkDirectory = RuntimeEnvironment.GetRuntimeDirectory();

        var outside = PackageAssemblies.Domain.GetReferencedAssemblies()
            .Where(a => !File.Exists(Path.Combine(frameworkDirectory, a.Name + ".dll")))
            .Select(a => a.Name)
            .ToArray();

        Assert.Empty(outside);
    }

    [Fact]
    public void Domain_UsesNoIOClockOrProcessTypes()
    {
        var used = ReferencedTypeNames(PackageAssemblies.Domain);

        var offending = used
            .Where(t => !AllowedTypes.Contains(t))
            .Where(t => ForbiddenTypes.Contains(t) || ForbiddenNamespaces.Any(ns => t.StartsWith(ns + ".", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Empty(offending);
    }

    [Fact]
    public void Domain_NeverReadsTheClockDirectly()
    {
        var read = ReferencedMemberNames(PackageAssemblies.Domain).Where(ClockReads.Contains).Order(StringComparer.Ordinal).ToArray();

        Assert.Empty(read);
    }

    [Fact]
    public void DockerDotNet_IsReferencedOnlyByTheDockerAdapter()
    {
        var offenders = PackageAssemblies.All
            .Where(a => a.GetName().Name != "Registries.Core.Docker")
            .Where(a => a.GetReferencedAssemblies().Any(r => r.Name!.StartsWith("Docker.DotNet", StringComparison.Ordinal)))
            .Select(a => a.GetName().Name)
            .ToArray();

        Assert.Empty(offenders);
    }

    [Fact]
    public void Domain_TypeReferenceScan_SeesTheTypesItUses()
    {
        // Guards the scan itself: if it saw nothing, the no-I/O test would pass for the wrong reason.
        var used = ReferencedTypeNames(PackageAssemblies.Domain);

        Assert.Contains("System.Net.IPAddress", used);
        Assert.Contains("System.ArgumentNullException", used);
    }

    private static HashSet<string> ReferencedTypeNames(Assembly assembly)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var handle in reader.TypeReferences)
        {
            var type = reader.GetTypeReference(handle);
            var ns = reader.GetString(type.Namespace);
            var name = reader.GetString(type.Name);
            names.Add(string.IsNullOrEmpty(ns) ? name : ns + "." + name);
        }

        return names;
    }

    // Members the assembly calls on types of other assemblies, as TYPE.MEMBER.
    private static HashSet<string> ReferencedMemberNames(Assembly assembly)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var handle in reader.MemberReferences)
        {
            var member = reader.GetMemberReference(handle);
            if (member.Parent.Kind != HandleKind.TypeReference)
            {
                continue;
            }

            var type = reader.GetTypeReference((TypeReferenceHandle)member.Parent);
            var ns = reader.GetString(type.Namespace);
            names.Add($"{(string.IsNullOrEmpty(ns) ? string.Empty : ns + ".")}{reader.GetString(type.Name)}.{reader.GetString(member.Name)}");
        }

        return names;
    }
}
