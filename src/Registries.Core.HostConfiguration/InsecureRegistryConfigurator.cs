using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Registries.Core.HostConfiguration;

/// <summary>Adds a registry to, or removes it from, the Docker daemon's insecure registries, in <c>daemon.json</c> and <c>/etc/default/docker</c>.</summary>
/// <remarks>
/// <para>Safe to run again: a file that already says what is asked is not written. A file that is written is replaced
/// atomically (temporary file in the same folder, flushed, renamed) and keeps its permission bits; other keys of
/// <c>daemon.json</c> keep their order and values, other lines of the defaults file keep their bytes.</para>
/// <para>Which file gets an added registry is <see cref="DockerHostOptions.InsecureRegistryTarget"/>: only ever one, since dockerd refuses to
/// start when both configure insecure registries; removal looks at both.
/// The daemon sees a change only after a restart (<see cref="InsecureRegistryResult.RestartRequired"/>). Every written file is logged at Information level.</para>
/// <para>The instance holds no state of its own and may be shared; two processes editing the same file at the same
/// moment are not coordinated (the last rename wins).</para>
/// </remarks>
public sealed class InsecureRegistryConfigurator
{
    private readonly DockerHostOptions _options;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The paths to use; <c>Options.Create(new DockerHostOptions())</c> for the standard locations. The values are copied.</param>
    /// <param name="loggerFactory">Where each written file is logged (path and what changed), or <see langword="null"/> for no logging.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or its value is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">A path of <paramref name="options"/> is empty or relative, its <see cref="DockerHostOptions.InsecureRegistryTarget"/> is not a defined value,
    /// or another rule of <see cref="DockerHostOptions"/> is broken; the failures say what to fix.</exception>
    public InsecureRegistryConfigurator(IOptions<DockerHostOptions> options, ILoggerFactory? loggerFactory = null)
    {
        _options = DockerHostOptionsValidator.ValidatedCopy(options);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<InsecureRegistryConfigurator>();
    }

    /// <summary>Adds the registry to the insecure registries, in the one place that configures them on this host.</summary>
    /// <param name="address">The registry, for example <c>registry.example.com:5000</c>.</param>
    /// <param name="dryRun"><see langword="true"/> to only say what would change, writing nothing.</param>
    /// <param name="cancellationToken">Cancels the operation until it starts writing; a write that began is completed, so a file is never left half-done.</param>
    /// <returns>The file looked at and what was (or would be) done to it.</returns>
    /// <remarks>
    /// dockerd refuses to start when <c>insecure-registries</c> is both a key of <c>daemon.json</c> and a flag, so with
    /// <see cref="InsecureRegistryTarget.Auto"/> the registry goes to <c>daemon.json</c> when it already has the key, to
    /// <c>DOCKER_OPTS</c> when its effective value already has an <c>--insecure-registry</c> flag, else to the
    /// <c>DOCKER_OPTS</c> line when there is one (the seed's way), else to <c>daemon.json</c>.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    /// <exception cref="DockerHostConfigurationException">Nothing was changed when: the files already configure insecure registries both ways, or the
    /// requested target would make them do so (<see cref="DockerHostConfigurationError.ConflictingConfiguration"/>); the address is an IPv6 address
    /// without a port (<see cref="DockerHostConfigurationError.UnsupportedRegistryAddress"/>); a file is malformed, uses shell syntax the library does
    /// not edit, is not a regular file, is too large or cannot be read. A file that cannot be written is left as it was (<see cref="DockerHostConfigurationError.FileAccess"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before anything was written; the files are as they were.</exception>
    public async Task<InsecureRegistryResult> AddAsync(RegistryAddress address, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv6 && address.Port is null)
        {
            // dockerd 20.10 refuses "[::1]" ("invalid host"), and a CIDR such as ::1/128 would make every port of the host
            // insecure, more than was asked; an image from it is named with its port anyway.
            throw new DockerHostConfigurationException(
                DockerHostConfigurationError.UnsupportedRegistryAddress,
                $"The Docker daemon cannot mark '{address}' as an insecure registry: dockerd refuses an IPv6 address without a port (invalid host). Give the port the registry listens on, for example '{address}:5000', and name images '{address}:5000/app'; nothing was changed.");
        }

        var daemonJson = await ReadAsync(_options.DaemonJsonPath, cancellationToken).ConfigureAwait(false);
        var defaults = await ReadAsync(_options.DockerDefaultsPath, cancellationToken).ConfigureAwait(false);
        var hasKey = DaemonJsonEditor.HasKey(daemonJson, _options.DaemonJsonPath);
        var hasFlag = DockerDefaultsEditor.HasAnyFlag(defaults, _options.DockerDefaultsPath);
        if (hasKey && hasFlag)
        {
            throw Conflict(
                $"the host already configures insecure registries both in '{_options.DaemonJsonPath}' (its '{DaemonJsonEditor.InsecureRegistriesKey}' key) and as {DockerDefaultsEditor.FlagName} flags in the DOCKER_OPTS of '{_options.DockerDefaultsPath}', so dockerd refuses to start. Move every registry into one of them (remove the key, or the flags), then run again");
        }

        var target = _options.InsecureRegistryTarget;
        if (target == InsecureRegistryTarget.Auto)
        {
            target = hasKey ? InsecureRegistryTarget.DaemonJson
                : hasFlag || DockerDefaultsEditor.HasEffectiveLine(defaults, _options.DockerDefaultsPath) ? InsecureRegistryTarget.DockerDefaults
                : InsecureRegistryTarget.DaemonJson;
        }
        else if (target == InsecureRegistryTarget.DaemonJson && hasFlag)
        {
            throw Conflict(
                $"the DOCKER_OPTS of '{_options.DockerDefaultsPath}' already has {DockerDefaultsEditor.FlagName} flags, and dockerd refuses to start when '{DaemonJsonEditor.InsecureRegistriesKey}' is also in '{_options.DaemonJsonPath}'. Use the target auto or docker-opts, or move those flags into daemon.json first");
        }
        else if (target == InsecureRegistryTarget.DockerDefaults && hasKey)
        {
            throw Conflict(
                $"'{_options.DaemonJsonPath}' already has the '{DaemonJsonEditor.InsecureRegistriesKey}' key, and dockerd refuses to start when an {DockerDefaultsEditor.FlagName} flag is also in DOCKER_OPTS. Use the target auto or daemon-json, or move that list into DOCKER_OPTS first");
        }

        var plan = new List<(string Path, byte[]? Original, byte[]? Updated, string Description)>();
        if (target == InsecureRegistryTarget.DaemonJson)
        {
            var updated = DaemonJsonEditor.Edit(daemonJson, _options.DaemonJsonPath, address, add: true, out var description);
            plan.Add((_options.DaemonJsonPath, daemonJson, updated, description));
        }
        else
        {
            var updated = DockerDefaultsEditor.Edit(defaults, _options.DockerDefaultsPath, address, add: true, out var description);
            plan.Add((_options.DockerDefaultsPath, defaults, updated, description));
        }

        return await ApplyAsync(address, plan, dryRun, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the registry from the insecure registries, in both files.</summary>
    /// <param name="address">The registry.</param>
    /// <param name="dryRun"><see langword="true"/> to only say what would change, writing nothing.</param>
    /// <param name="cancellationToken">Cancels the operation until it starts writing; never between the two files, so a cancellation cannot leave the host half-edited.</param>
    /// <returns>Each existing file looked at and what was (or would be) done to it; a missing file is not created.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    /// <remarks>Removal is allowed whatever the state of the host, conflicting files and IPv6 addresses without a port included: it is how such a host is mended.</remarks>
    /// <exception cref="DockerHostConfigurationException">A file is malformed, uses shell syntax the library does not edit, is not a regular file, is too large or
    /// cannot be read (nothing was changed), or cannot be written (that file was left as it was; the other file may already have been written).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before anything was written; the files are as they were.</exception>
    public async Task<InsecureRegistryResult> RemoveAsync(RegistryAddress address, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        var plan = new List<(string Path, byte[]? Original, byte[]? Updated, string Description)>();
        if (await ReadAsync(_options.DaemonJsonPath, cancellationToken).ConfigureAwait(false) is { } daemonJson)
        {
            var updated = DaemonJsonEditor.Edit(daemonJson, _options.DaemonJsonPath, address, add: false, out var description);
            plan.Add((_options.DaemonJsonPath, daemonJson, updated, description));
        }

        if (await ReadAsync(_options.DockerDefaultsPath, cancellationToken).ConfigureAwait(false) is { } defaults)
        {
            var updated = DockerDefaultsEditor.Edit(defaults, _options.DockerDefaultsPath, address, add: false, out var description);
            plan.Add((_options.DockerDefaultsPath, defaults, updated, description));
        }

        return await ApplyAsync(address, plan, dryRun, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Tells whether the registry is configured as insecure in either file.</summary>
    /// <param name="address">The registry.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns><see langword="true"/> when <c>daemon.json</c> lists it or the effective <c>DOCKER_OPTS</c> value has the flag.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    /// <exception cref="DockerHostConfigurationException">A file is malformed, uses shell syntax the library does not read, is not a regular file, is too large or cannot be read.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<bool> IsConfiguredAsync(RegistryAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        return DaemonJsonEditor.Contains(await ReadAsync(_options.DaemonJsonPath, cancellationToken).ConfigureAwait(false), _options.DaemonJsonPath, address)
            || DockerDefaultsEditor.Contains(await ReadAsync(_options.DockerDefaultsPath, cancellationToken).ConfigureAwait(false), _options.DockerDefaultsPath, address);
    }

    private static Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken)
        => HostFile.ReadIfExistsAsync(path, HostFile.ConfigurationFileLimit, cancellationToken);

    private static DockerHostConfigurationException Conflict(string what)
        => new(DockerHostConfigurationError.ConflictingConfiguration, $"Cannot add the insecure registry: {what}; nothing was changed.");

    private async Task<InsecureRegistryResult> ApplyAsync(
        RegistryAddress address,
        List<(string Path, byte[]? Original, byte[]? Updated, string Description)> plan,
        bool dryRun,
        CancellationToken cancellationToken)
    {
        // Every file is edited in memory first: a malformed second file stops the operation before the first is written.
        var changes = plan
            .Select(p => new HostFileChange(
                p.Path,
                p.Updated is null ? FileChangeKind.Unchanged : p.Original is null ? FileChangeKind.Created : FileChangeKind.Updated,
                p.Description))
            .ToList();
        if (dryRun || changes.TrueForAll(c => c.Kind == FileChangeKind.Unchanged))
        {
            return new InsecureRegistryResult(address, changes, dryRun);
        }

        // The last moment a cancellation is honoured: after it, every planned file is written.
        cancellationToken.ThrowIfCancellationRequested();
        for (var i = 0; i < plan.Count; i++)
        {
            if (plan[i].Updated is { } updated)
            {
                await HostFile.WriteAsync(plan[i].Path, updated).ConfigureAwait(false);
                HostConfigurationLog.InsecureRegistryFileWritten(_logger, address.ToString(), changes[i].Kind, changes[i].Path, changes[i].Description);
            }
        }

        return new InsecureRegistryResult(address, changes, dryRun);
    }
}
