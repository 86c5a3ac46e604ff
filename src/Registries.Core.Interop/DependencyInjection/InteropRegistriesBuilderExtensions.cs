using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Registries.Core.Interop;
using Registries.Core.Shared;
using Registries.Core.Sources;

namespace Registries.Core.DependencyInjection;

/// <summary>Registers the interoperability services: Docker config export and import, credential verification, the kubelet
/// credential provider, and the credential sources that run Docker credential helpers and kubelet plugins.</summary>
public static class InteropRegistriesBuilderExtensions
{
    /// <summary>Registers <see cref="DockerConfigExporter"/>, <see cref="ContainerdHostsExporter"/>, <see cref="ContainersPolicyExporter"/>
    /// and <see cref="DockerConfigImporter"/> as singletons over the registered <see cref="RegistryService"/>, with validated
    /// <see cref="DockerConfigImportOptions"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configureImport">Configures the importer (helper folders and timeout, verification), or <see langword="null"/> for the defaults.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <remarks>
    /// <para>Both act for the caller of the registered service, the one <c>UseCaller</c> plugs in; code that knows its
    /// caller builds its own over <see cref="RegistryService.As(string)"/> instead.</para>
    /// <para>Options are validated at start (<c>ValidateOnStart</c>): a helper timeout that is not positive or longer than
    /// 10 minutes, an empty or relative helper folder, or <see cref="DockerConfigImportOptions.Verify"/> without
    /// <see cref="UseRegistryVerification"/> fails then, with the fix in the message. Services the application registered
    /// itself stay the ones used (<c>TryAdd</c>). Calling this more than once is harmless; each call's configuration is applied.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IRegistriesBuilder UseDockerConfigInterop(this IRegistriesBuilder builder, Action<DockerConfigImportOptions>? configureImport = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<DockerConfigImportOptions>();
        if (configureImport is not null)
        {
            options.Configure(configureImport);
        }

        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DockerConfigImportOptions>, DockerConfigImportOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DockerConfigImportOptions>, ImportVerifierRegisteredValidator>());
        builder.Services.TryAddSingleton(sp => new DockerConfigExporter(sp.GetRequiredService<RegistryService>()));
        builder.Services.TryAddSingleton(sp => new ContainerdHostsExporter(sp.GetRequiredService<RegistryService>()));
        builder.Services.TryAddSingleton(sp => new ContainersPolicyExporter(sp.GetRequiredService<RegistryService>()));
        builder.Services.TryAddSingleton(sp => new DockerConfigImporter(
            sp.GetRequiredService<RegistryService>(),
            sp.GetRequiredService<IOptions<DockerConfigImportOptions>>(),
            sp.GetService<RegistryCredentialVerifier>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        return builder;
    }

    /// <summary>Registers <see cref="RegistryCredentialVerifier"/> as a singleton, with validated <see cref="RegistryVerificationOptions"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the verifier (certificate folder, insecure registries, timeout), or <see langword="null"/> for the defaults.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <remarks>
    /// <para>The verifier checks credentials against registries and knows nothing of callers; use it for a caller with
    /// <see cref="RegistryServiceVerificationExtensions.AddVerifiedRegistryAsync(RegistryService, RegistryCredentialVerifier, string, RegistryScope, RegistryCredential, CancellationToken)"/>, or through the importer with
    /// <see cref="DockerConfigImportOptions.Verify"/>.</para>
    /// <para>Options are validated at start (<c>ValidateOnStart</c>): an empty certificate folder, or a timeout that is
    /// not positive or longer than 10 minutes, fails then, with the fix in the message. A verifier the application
    /// registered itself stays the one used (<c>TryAdd</c>).</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IRegistriesBuilder UseRegistryVerification(this IRegistriesBuilder builder, Action<RegistryVerificationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<RegistryVerificationOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RegistryVerificationOptions>, RegistryVerificationOptionsValidator>());
        builder.Services.TryAddSingleton(sp => new RegistryCredentialVerifier(
            sp.GetRequiredService<IOptions<RegistryVerificationOptions>>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        return builder;
    }

    /// <summary>Registers <see cref="KubeletCredentialProvider"/> as a singleton over the registered <see cref="RegistryService"/>,
    /// with validated <see cref="KubeletCredentialProviderOptions"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the provider (the cache duration the kubelet is told), or <see langword="null"/> for the defaults.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <remarks>The provider acts for the caller of the registered service (<c>UseCaller</c>). Options are validated at
    /// start (<c>ValidateOnStart</c>): a cache duration outside one second to 24 hours, or not in whole seconds, fails
    /// then, with the fix in the message. A provider the application registered itself stays the one used (<c>TryAdd</c>).</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IRegistriesBuilder UseKubeletCredentialProvider(this IRegistriesBuilder builder, Action<KubeletCredentialProviderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<KubeletCredentialProviderOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KubeletCredentialProviderOptions>, KubeletCredentialProviderOptionsValidator>());
        builder.Services.TryAddSingleton(sp => new KubeletCredentialProvider(
            sp.GetRequiredService<RegistryService>(),
            sp.GetRequiredService<IOptions<KubeletCredentialProviderOptions>>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        return builder;
    }

    /// <summary>Registers <see cref="IdentityTokenSource"/> as a singleton and as the <see cref="ICredentialSource"/> of
    /// identity-token entries, with validated <see cref="IdentityTokenSourceOptions"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the source (certificate folder, insecure registries, timeout, response bound,
    /// client id), or <see langword="null"/> for the defaults.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <remarks>Options are validated at start (<c>ValidateOnStart</c>): an empty certificate folder, a timeout that is
    /// not positive or longer than 10 minutes, a response bound outside 4 KiB to 1 MiB, or a malformed client id fails
    /// then, with the fix in the message. A source the application registered itself stays the one used (<c>TryAdd</c>);
    /// calling this more than once registers one source.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IRegistriesBuilder AddIdentityTokenSource(this IRegistriesBuilder builder, Action<IdentityTokenSourceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<IdentityTokenSourceOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IdentityTokenSourceOptions>, IdentityTokenSourceOptionsValidator>());
        builder.Services.TryAddSingleton(sp => new IdentityTokenSource(
            sp.GetRequiredService<IOptions<IdentityTokenSourceOptions>>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ICredentialSource, IdentityTokenSource>(sp => sp.GetRequiredService<IdentityTokenSource>()));
        return builder;
    }

    /// <summary>Registers <see cref="DockerCredentialHelperSource"/> as the <see cref="ICredentialSource"/> of
    /// <see cref="CredentialSourceKind.CredentialHelper"/> entries, with validated <see cref="CredentialHelperSourceOptions"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the source: the helpers the operator allows (none by default), where they are, the timeout.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <remarks>Options are validated at start (<c>ValidateOnStart</c>): a name that is not a helper name, a relative folder
    /// or a timeout out of range fails then, with the fix in the message. Registered once however often this is called
    /// (each call's configuration is applied); a <see cref="DockerCredentialHelperSource"/> the application registered as
    /// an <see cref="ICredentialSource"/> itself stays the one used.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static IRegistriesBuilder AddCredentialHelperSource(this IRegistriesBuilder builder, Action<CredentialHelperSourceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<CredentialHelperSourceOptions>().Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CredentialHelperSourceOptions>, CredentialHelperSourceOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ICredentialSource, DockerCredentialHelperSource>(sp => new DockerCredentialHelperSource(
            sp.GetRequiredService<IOptions<CredentialHelperSourceOptions>>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System)));
        return builder;
    }

    /// <summary>Registers <see cref="KubeletPluginSource"/> as the <see cref="ICredentialSource"/> of
    /// <see cref="CredentialSourceKind.KubeletPlugin"/> entries, with validated <see cref="KubeletPluginSourceOptions"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the source: the <c>CredentialProviderConfig</c> file, the plugins' folder, the timeout.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <remarks>Options are validated at start (<c>ValidateOnStart</c>), the config file included: a missing or relative
    /// path, a file that is not a valid config (the message names the line) or a timeout out of range fails then.
    /// Registered once however often this is called (each call's configuration is applied); a
    /// <see cref="KubeletPluginSource"/> the application registered as an <see cref="ICredentialSource"/> itself stays the one used.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static IRegistriesBuilder AddKubeletPluginSource(this IRegistriesBuilder builder, Action<KubeletPluginSourceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<KubeletPluginSourceOptions>().Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KubeletPluginSourceOptions>, KubeletPluginSourceOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ICredentialSource, KubeletPluginSource>(sp => new KubeletPluginSource(
            sp.GetRequiredService<IOptions<KubeletPluginSourceOptions>>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System)));
        return builder;
    }

    /// <summary>Adds the credential sources' health check, <c>registries-credential-sources</c>: every helper that
    /// <see cref="AddCredentialHelperSource"/> allows is found in the helper folders and may run, and the kubelet config
    /// of <see cref="AddKubeletPluginSource"/> still parses and each of its providers' binaries is in the bin folder and
    /// may run (a regular, executable file owned by root or this user and not writable by its group or others, in such a
    /// folder); Unhealthy otherwise, naming what to fix. Healthy when neither source is registered.</summary>
    /// <remarks>Tagged <c>ready</c> unless <paramref name="tags"/> says otherwise. A check that takes longer than
    /// <paramref name="timeout"/> (5 s by default) reports Unhealthy. Calling this more than once is harmless. No helper
    /// or plugin is run, so the answer never holds a secret; it is bounded in length.</remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="tags">The check's tags, or <see langword="null"/> for <c>ready</c>.</param>
    /// <param name="timeout">How long the check may take, or <see langword="null"/> for 5 s.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is zero or negative.</exception>
    public static IRegistriesBuilder AddCredentialSourcesHealthCheck(this IRegistriesBuilder builder, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        RegistriesHealthChecks.Add(builder.Services, "registries-credential-sources", sp => new CredentialSourcesHealthCheck(sp.GetServices<ICredentialSource>()), HealthStatus.Unhealthy, tags, timeout);
        return builder;
    }

    // Verify needs a verifier: known only from the registrations, so it is checked here and not by the options' own rules.
    private sealed class ImportVerifierRegisteredValidator(IServiceProviderIsService services) : IValidateOptions<DockerConfigImportOptions>
    {
        public ValidateOptionsResult Validate(string? name, DockerConfigImportOptions options)
            => options.Verify && !services.IsService(typeof(RegistryCredentialVerifier))
                ? ValidateOptionsResult.Fail(DockerConfigImportOptionsValidator.VerifierMissing(underDependencyInjection: true))
                : ValidateOptionsResult.Success;
    }
}
