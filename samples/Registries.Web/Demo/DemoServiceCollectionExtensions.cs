namespace Registries.Web.Demo;

/// <summary>Registers the sample's demo sign-in and its first-run seed.</summary>
internal static class DemoServiceCollectionExtensions
{
    /// <summary>Adds the demo users from the configuration section <c>Demo</c> and the seed.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddDemo(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DemoOptions>()
            .Bind(configuration.GetSection("Demo"))
            .Validate(o => o.Users.Values.Any(u => u.Role == Core.EnvironmentRole.Owner), "Demo:Users needs one user with the role Owner, who owns the seeded environment.")
            .Validate(o => o.Users.Values.All(u => u.Password.Length > 0), "Every user under Demo:Users needs a Password.")
            .ValidateOnStart();
        services.AddSingleton<DemoUsers>();
        services.AddHostedService<DemoSeed>();
        return services;
    }
}
