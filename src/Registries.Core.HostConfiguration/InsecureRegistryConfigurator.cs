namespace Registries.Core.HostConfiguration;

/// <summary>Adds a registry to, or removes it from, the Docker daemon's insecure registries, in <c>daemon.json</c> and <c>/etc/default/docker</c>.</summary>
/// <remarks>
/// <para>Safe to run again: a file that already says what is asked is not written. A file that is written is replaced
/// atomically (temporary file in the same folder, flushed, renamed) and keeps its permission bits; other keys of
/// <c>daemon.json</c> keep their order and values, other lines of the defaults file keep their bytes.</para>
/// <para>Which file gets an added registry is <see cref="DockerHostOptions.InsecureRegistryTarget"/>; removal looks at both.
/// The daemon sees a change only after a restart (<see cref="InsecureRegistryResult.RestartRequired"/>).</para>
/// <para>The instance holds no state of its own and may be shared; two processes editing the same file at the same
/// moment are not coordinated (the last rename wins).</para>
/// </remarks>
public sealed class InsecureRegistryConfigurator
{
    private readonly DockerHostOptions _options;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The paths to use; <see langword="null"/> for the standard locations.</param>
    /// <exception cref="ArgumentException">A path of <paramref name="options"/> is empty, or its <see cref="DockerHostOptions.InsecureRegistryTarget"/> is not a defined value.</exception>
    public InsecureRegistryConfigurator(DockerHostOptions? options = null)
    {
        _options = options ?? new DockerHostOptions();
        ArgumentException.ThrowIfNullOrEmpty(_options.DaemonJsonPath, nameof(options));
        ArgumentException.ThrowIfNullOrEmpty(_options.DockerDefaultsPath, nameof(options));
        if (!Enum.IsDefined(_options.InsecureRegistryTarget))
        {
            throw new ArgumentException($"InsecureRegistryTarget {_options.InsecureRegistryTarget} is not one of {string.Join(", ", Enum.GetNames<InsecureRegistryTarget>())}.", nameof(options));
        }
    }

    /// <summary>Adds the registry to the insecure registries.</summary>
    /// <param name="address">The registry, for example <c>registry.example.com:5000</c>.</param>
    /// <param name="dryRun"><see langword="true"/> to only say what would change, writing nothing.</param>
    /// <returns>Each file looked at and what was (or would be) done to it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    /// <exception cref="DockerHostConfigurationException">A file is malformed or cannot be read (nothing was changed), or cannot be written
    /// (that file was left as it was; with <see cref="InsecureRegistryTarget.Both"/> the other file may already have been written).</exception>
    public InsecureRegistryResult Add(RegistryAddress address, bool dryRun = false)
    {
        ArgumentNullException.ThrowIfNull(address);
        var target = _options.InsecureRegistryTarget;
        var defaults = target == InsecureRegistryTarget.DaemonJson ? null : AtomicFile.ReadIfExists(_options.DockerDefaultsPath);
        if (target == InsecureRegistryTarget.Auto)
        {
            // An uncommented DOCKER_OPTS line means the init script passes flags: adding the registry to daemon.json
            // as well would make dockerd refuse to start (a directive given both as a flag and in the file).
            target = DockerDefaultsEditor.HasEffectiveLine(defaults, _options.DockerDefaultsPath)
                ? InsecureRegistryTarget.DockerDefaults
                : InsecureRegistryTarget.DaemonJson;
        }

        var plan = new List<(string Path, byte[]? Original, byte[]? Updated, string Description)>();
        if (target is InsecureRegistryTarget.DaemonJson or InsecureRegistryTarget.Both)
        {
            var daemonJson = AtomicFile.ReadIfExists(_options.DaemonJsonPath);
            var updated = DaemonJsonEditor.Edit(daemonJson, _options.DaemonJsonPath, address, add: true, out var description);
            plan.Add((_options.DaemonJsonPath, daemonJson, updated, description));
        }

        if (target is InsecureRegistryTarget.DockerDefaults or InsecureRegistryTarget.Both)
        {
            var updated = DockerDefaultsEditor.Edit(defaults, _options.DockerDefaultsPath, address, add: true, out var description);
            plan.Add((_options.DockerDefaultsPath, defaults, updated, description));
        }

        return Apply(address, plan, dryRun);
    }

    /// <summary>Removes the registry from the insecure registries, in both files.</summary>
    /// <param name="address">The registry.</param>
    /// <param name="dryRun"><see langword="true"/> to only say what would change, writing nothing.</param>
    /// <returns>Each existing file looked at and what was (or would be) done to it; a missing file is not created.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    /// <exception cref="DockerHostConfigurationException">A file is malformed or cannot be read (nothing was changed), or cannot be written
    /// (that file was left as it was; with <see cref="InsecureRegistryTarget.Both"/> the other file may already have been written).</exception>
    public InsecureRegistryResult Remove(RegistryAddress address, bool dryRun = false)
    {
        ArgumentNullException.ThrowIfNull(address);
        var plan = new List<(string Path, byte[]? Original, byte[]? Updated, string Description)>();
        if (AtomicFile.ReadIfExists(_options.DaemonJsonPath) is { } daemonJson)
        {
            var updated = DaemonJsonEditor.Edit(daemonJson, _options.DaemonJsonPath, address, add: false, out var description);
            plan.Add((_options.DaemonJsonPath, daemonJson, updated, description));
        }

        if (AtomicFile.ReadIfExists(_options.DockerDefaultsPath) is { } defaults)
        {
            var updated = DockerDefaultsEditor.Edit(defaults, _options.DockerDefaultsPath, address, add: false, out var description);
            plan.Add((_options.DockerDefaultsPath, defaults, updated, description));
        }

        return Apply(address, plan, dryRun);
    }

    /// <summary>Tells whether the registry is configured as insecure in either file.</summary>
    /// <param name="address">The registry.</param>
    /// <returns><see langword="true"/> when <c>daemon.json</c> lists it or the effective <c>DOCKER_OPTS</c> value has the flag.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    /// <exception cref="DockerHostConfigurationException">A file is malformed or cannot be read.</exception>
    public bool IsConfigured(RegistryAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return DaemonJsonEditor.Contains(AtomicFile.ReadIfExists(_options.DaemonJsonPath), _options.DaemonJsonPath, address)
            || DockerDefaultsEditor.Contains(AtomicFile.ReadIfExists(_options.DockerDefaultsPath), _options.DockerDefaultsPath, address);
    }

    private static InsecureRegistryResult Apply(
        RegistryAddress address,
        List<(string Path, byte[]? Original, byte[]? Updated, string Description)> plan,
        bool dryRun)
    {
        // Every file is edited in memory first: a malformed second file stops the operation before the first is written.
        var changes = new List<HostFileChange>();
        foreach (var (path, original, updated, description) in plan)
        {
            var kind = updated is null ? FileChangeKind.Unchanged : original is null ? FileChangeKind.Created : FileChangeKind.Updated;
            if (updated is not null && !dryRun)
            {
                AtomicFile.Write(path, updated);
            }

            changes.Add(new HostFileChange(path, kind, description));
        }

        return new InsecureRegistryResult(address, changes, dryRun);
    }
}
