using System.Text;

namespace Registries.Core.Interop.Tests;

/// <summary>The hand-written documents under <c>Kubelet/golden</c> and <c>Export/golden</c>, copied beside the tests.</summary>
internal static class Golden
{
    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, relativePath), Encoding.UTF8);

    public static byte[] ReadBytes(string relativePath) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, relativePath));
}
