using Registries.Core;

namespace Registries.Web.Demo;

/// <summary>The sample's sign-in users and the environment seeded for them (configuration section <c>Demo</c>).</summary>
public sealed class DemoOptions
{
    /// <summary>Gets or sets the name of the environment seeded on first run.</summary>
    public string Environment { get; set; } = "Default";

    /// <summary>Gets the users who may sign in, by name.</summary>
    public Dictionary<string, DemoUser> Users { get; } = new(StringComparer.Ordinal);
}

/// <summary>One sign-in user of the sample.</summary>
public sealed class DemoUser
{
    /// <summary>Gets or sets the user's role in the seeded environment.</summary>
    public EnvironmentRole Role { get; set; } = EnvironmentRole.ReadOnly;

    /// <summary>Gets or sets the demo password.</summary>
    public string Password { get; set; } = string.Empty;

    /// <inheritdoc />
    public override string ToString() => $"{Role} (password hidden)";
}
