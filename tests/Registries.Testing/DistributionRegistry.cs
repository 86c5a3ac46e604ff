using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Registries.Testing;

/// <summary>A private distribution registry (Debian's <c>docker-registry</c>) that a test starts, stops, starts again and
/// disposes itself: its own free 127.0.0.1 port, data folder and htpasswd user, TLS with the shared test certificate.</summary>
/// <remarks>
/// <para>For tests that need a second registry beside the shared ones (a mirror, a registry that goes down): the shared
/// services are never stopped by a test. Docker treats 127.0.0.0/8 as insecure, so dockerd pulls from it without
/// trusting the certificate; other clients trust <see cref="TestServices.RegistryCa"/>.</para>
/// <para>Every wait is bounded: <see cref="StartAsync()"/> waits up to 30 seconds for <c>/v2/</c> to answer, and dispose
/// kills the process.</para>
/// </remarks>
public sealed class DistributionRegistry : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private readonly TestDirectory _directory = new("registries-distribution-");
    private readonly string _caPath;
    private BackgroundProcess? _process;

    private DistributionRegistry(TestServices services, int port)
    {
        Port = port;
        Address = "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
        User = "mirror-" + RandomNumberGenerator.GetHexString(6, lowercase: true);
        Password = "Mirror-Pw-" + RandomNumberGenerator.GetHexString(16, lowercase: true);
        _caPath = services.RegistryCa;
        Directory.CreateDirectory(_directory.Combine("data"));
        File.WriteAllText(_directory.Combine("config.yml"), $"""
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {_directory.Combine("data")}
              delete:
                enabled: true
            http:
              addr: {Address}
              secret: {RandomNumberGenerator.GetHexString(32)}
              tls:
                certificate: {services.RegistryCert}
                key: {services.RegistryKey}
            auth:
              htpasswd:
                realm: registries-test-mirror
                path: {_directory.Combine("htpasswd")}
            """);
    }

    /// <summary>Gets the port it listens on (kept across <see cref="StopAsync"/> and <see cref="StartAsync()"/>).</summary>
    public int Port { get; }

    /// <summary>Gets its address, <c>127.0.0.1:PORT</c>.</summary>
    public string Address { get; }

    /// <summary>Gets its one user.</summary>
    public string User { get; }

    /// <summary>Gets that user's password (its own, unlike the shared registries').</summary>
    public string Password { get; }

    /// <summary>Gets a value indicating whether it is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Gets what the registry wrote so far (for a failing test's message).</summary>
    public string Log => _process?.Log ?? string.Empty;

    /// <summary>Makes a registry on a free loopback port and starts it.</summary>
    /// <param name="services">The shared services (for the test certificate).</param>
    /// <returns>The running registry.</returns>
    /// <exception cref="TimeoutException">It did not answer <c>/v2/</c> within 30 seconds.</exception>
    public static async Task<DistributionRegistry> StartAsync(TestServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var registry = new DistributionRegistry(services, FreePort());
        try
        {
            var htpasswd = await Processes.RunAsync("htpasswd", ["-Bbc", registry._directory.Combine("htpasswd"), registry.User, registry.Password], timeout: TimeSpan.FromSeconds(30));
            if (htpasswd.ExitCode != 0)
            {
                throw new InvalidOperationException("htpasswd failed: " + htpasswd.Error);
            }

            await registry.StartAsync();
            return registry;
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts it (again) on its port, with the data it had, and waits until <c>/v2/</c> answers.</summary>
    /// <returns>A task that completes when it answers.</returns>
    /// <exception cref="InvalidOperationException">It is running already.</exception>
    /// <exception cref="TimeoutException">It did not answer within 30 seconds (the message holds its log).</exception>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"The registry at {Address} is running already.");
        }

        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        _process = new BackgroundProcess("docker-registry", ["serve", _directory.Combine("config.yml")]);
        using var client = CreateClient();
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The registry at {Address} ended at start:\n{_process.Log}");
            }

            try
            {
                // 401: up, and asking for the htpasswd user.
                using var response = await client.GetAsync(new Uri($"https://{Address}/v2/"));
                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"The registry at {Address} did not answer /v2/ within {ReadyTimeout.TotalSeconds} s:\n{_process.Log}");
            }

            // Bounded by the deadline; a short pause between connection attempts, not a wait for a condition.
            await Task.Delay(50);
        }
    }

    /// <summary>Stops it (SIGTERM, then a kill after 30 seconds), keeping its data and port for <see cref="StartAsync()"/>.</summary>
    /// <returns>A task that completes when it has ended and its port refuses connections.</returns>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        await _process.StopAsync();
        await _process.DisposeAsync();
        _process = null;
    }

    /// <summary>Tells whether it holds a manifest, by asking it with its own user.</summary>
    /// <param name="repository">The repository path.</param>
    /// <param name="reference">A tag or digest.</param>
    /// <returns><see langword="true"/> when the manifest is there.</returns>
    public async Task<bool> HasManifestAsync(string repository, string reference)
    {
        using var client = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Head, new Uri($"https://{Address}/v2/{repository}/manifests/{reference}"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(User + ":" + Password)));
        request.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        using var response = await client.SendAsync(request);
        return response.IsSuccessStatusCode;
    }

    /// <summary>Kills the registry if it runs and deletes its data.</summary>
    /// <returns>A task that completes when it is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }

        _directory.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"distribution registry at {Address} ({(IsRunning ? "running" : "stopped")})";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // Trusts the shared test CA only, as a careful client would.
    private HttpClient CreateClient()
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(_caPath);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                if (certificate is null)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            },
        };
        return new HttpClient(handler, disposeHandler: true) { Timeout = TimeSpan.FromSeconds(10) };
    }
}
