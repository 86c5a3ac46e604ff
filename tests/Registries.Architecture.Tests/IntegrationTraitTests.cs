using System.Text.RegularExpressions;
using Registries.Testing;

namespace Registries.Architecture.Tests;

/// <summary>Every test class that needs the real services is marked, so the fast loop and the test command's report hold.</summary>
/// <remarks>
/// <c>dotnet test --filter "Category!=Integration"</c> must run without any service, and when the services cannot start,
/// the test command runs only the unmarked tests. A class that reaches a service without the mark would fail there.
/// The check reads the sources: what a class names (the services, the shared dockerd, a database, the browser).
/// </remarks>
public sealed partial class IntegrationTraitTests
{
    private const string Mark = "[Trait(\"Category\", \"Integration\")]";

    [Fact]
    public void TestClasses_ThatReachTheServices_AreMarkedIntegration()
    {
        var unmarked = new List<string>();
        foreach (var file in Directory.EnumerateFiles(RepositoryPaths.Combine("tests"), "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(RepositoryPaths.Root, file);
            if (relative.Contains("/bin/", StringComparison.Ordinal) || relative.Contains("/obj/", StringComparison.Ordinal)
                || relative.StartsWith("tests/Registries.Testing/", StringComparison.Ordinal)
                || Path.GetFileName(file) == nameof(IntegrationTraitTests) + ".cs")
            {
                continue;
            }

            var lines = File.ReadAllLines(file);
            var declarations = Enumerable.Range(0, lines.Length).Where(i => ClassDeclaration().IsMatch(lines[i])).ToList();
            for (var k = 0; k < declarations.Count; k++)
            {
                var start = declarations[k];
                var end = k + 1 < declarations.Count ? declarations[k + 1] : lines.Length;
                var body = string.Join('\n', lines[start..end]);
                // A test class: it has test methods, or it inherits them (a conformance suite, a shared base).
                var isTestClass = TestMethod().IsMatch(body) || InheritsTests().IsMatch(lines[start]);
                if (!isTestClass || lines[start].Contains("abstract ", StringComparison.Ordinal) || !ReachesAService().IsMatch(body))
                {
                    continue;
                }

                var attributes = lines[..start].Reverse().TakeWhile(line => line.StartsWith('[')).ToList();
                if (!attributes.Contains(Mark))
                {
                    unmarked.Add($"{relative}:{start + 1}: {lines[start].Trim()}");
                }
            }
        }

        Assert.True(unmarked.Count == 0, "Mark these test classes " + Mark + ":\n" + string.Join('\n', unmarked));
    }

    [GeneratedRegex(@"^(public |internal )?(sealed |abstract |static )*(partial )?class \w+")]
    private static partial Regex ClassDeclaration();

    [GeneratedRegex(@"\[(Fact|Theory)\b")]
    private static partial Regex TestMethod();

    [GeneratedRegex(@"\bclass \w+.*:\s*\w+Tests\b")]
    private static partial Regex InheritsTests();

    // What only the services started by eng/services.sh give: their variables, the shared dockerd, a database, the browser,
    // the real credential helpers it unpacks, the containerd sandbox (a namespace with registries and containerd), a
    // private distribution registry a test starts itself.
    [GeneratedRegex(@"TestServices\.|RequirePostgreSql|DockerEngineCollection|PostgreSqlTestDatabase|PrivatePostgreSqlCluster|FreshDatabase|TokenServer|TokenRealmCollection|DistributionRegistry|IClassFixture<Browser>|REGISTRIES_TEST_CREDENTIAL_HELPERS|NativeExecutables|ContainerdSandbox")]
    private static partial Regex ReachesAService();
}
