namespace Registries.Core.Tests.Domain;

public sealed class RegistryEnvironmentTests
{
    private static readonly RegistryEnvironment Production = new(
        "1a1",
        "production",
        OrchestrationKind.Cattle,
        [new("olivia", EnvironmentRole.Owner), new("marcus", EnvironmentRole.Member), new("rita", EnvironmentRole.ReadOnly)],
        1);

    // The whole table: role x permission, and a non-member who holds nothing.
    public static TheoryData<string, RegistryPermission, bool> PermissionTable() => new()
    {
        { "olivia", RegistryPermission.ReadEnvironment, true },
        { "olivia", RegistryPermission.ReadRegistries, true },
        { "olivia", RegistryPermission.ManageRegistries, true },
        { "olivia", RegistryPermission.UseCredentials, true },
        { "olivia", RegistryPermission.ManageMembers, true },
        { "marcus", RegistryPermission.ReadEnvironment, true },
        { "marcus", RegistryPermission.ReadRegistries, true },
        { "marcus", RegistryPermission.ManageRegistries, true },
        { "marcus", RegistryPermission.UseCredentials, true },
        { "marcus", RegistryPermission.ManageMembers, false },
        { "rita", RegistryPermission.ReadEnvironment, true },
        { "rita", RegistryPermission.ReadRegistries, true },
        { "rita", RegistryPermission.ManageRegistries, false },
        { "rita", RegistryPermission.UseCredentials, false },
        { "rita", RegistryPermission.ManageMembers, false },
        { "oscar", RegistryPermission.ReadEnvironment, false },
        { "oscar", RegistryPermission.ReadRegistries, false },
        { "oscar", RegistryPermission.ManageRegistries, false },
        { "oscar", RegistryPermission.UseCredentials, false },
        { "oscar", RegistryPermission.ManageMembers, false },
    };

    [Theory]
    [MemberData(nameof(PermissionTable))]
    public void HasPermission_RoleAndPermission_AnswersAsTheTableSays(string user, RegistryPermission permission, bool expected)
    {
        Assert.Equal(expected, Production.HasPermission(user, permission));
    }

    [Fact]
    public void HasPermission_TheTable_CoversEveryRoleAndEveryPermission()
    {
        // A permission or role added later must get its row in the table above.
        var rows = PermissionTable().Select(row => ((string)row[0], (RegistryPermission)row[1])).ToHashSet();

        Assert.Equal(Enum.GetValues<RegistryPermission>().Length * (Enum.GetValues<EnvironmentRole>().Length + 1), rows.Count);
        Assert.All(Enum.GetValues<EnvironmentRole>(), role => Assert.Contains(Production.Members, m => m.Value == role));
    }

    [Fact]
    public void HasPermission_UserNamesCompareOrdinally()
    {
        Assert.False(Production.HasPermission("Olivia", RegistryPermission.ReadEnvironment));
        Assert.False(Production.HasPermission("olivia ", RegistryPermission.ReadEnvironment));
    }

    [Theory]
    [InlineData("olivia")]
    [InlineData("marcus")]
    [InlineData("rita")]
    public void HasPermission_UnknownPermission_ThrowsArgumentOutOfRangeNamingTheKnownOnes(string user)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Production.HasPermission(user, (RegistryPermission)42));

        Assert.Equal("permission", error.ParamName);
        Assert.Contains("ReadEnvironment, ReadRegistries, ManageRegistries, UseCredentials or ManageMembers", error.Message, StringComparison.Ordinal);
    }
}
