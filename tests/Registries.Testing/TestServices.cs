using Xunit;

namespace Registries.Testing;

/// <summary>The real components started by <c>eng/services.sh</c> (through <c>eng/test.sh</c>), read from the environment.</summary>
/// <remarks>A test that needs them calls <see cref="Require"/>: when they are missing the test fails, it never skips.</remarks>
public sealed class TestServices
{
    private TestServices()
    {
    }

    /// <summary>Gets the Docker Engine endpoint, for example <c>unix:///tmp/x/docker.sock</c>.</summary>
    public required string DockerHost { get; init; }

    /// <summary>Gets the path of the Debian docker CLI.</summary>
    public required string DockerCli { get; init; }

    /// <summary>Gets the path of dockerd.</summary>
    public required string Dockerd { get; init; }

    /// <summary>Gets the path of skopeo.</summary>
    public required string Skopeo { get; init; }

    /// <summary>Gets the loopback registry (htpasswd basic auth, TLS), <c>127.0.0.1:PORT</c>.</summary>
    public required string Registry { get; init; }

    /// <summary>Gets the same registry served from a network namespace, which dockerd treats as secure (TLS verified); empty when no namespace could be made.</summary>
    public required string SecureRegistry { get; init; }

    /// <summary>Gets the CA certificate that signed the registries' server certificate.</summary>
    public required string RegistryCa { get; init; }

    /// <summary>Gets the registries' server certificate.</summary>
    public required string RegistryCert { get; init; }

    /// <summary>Gets the registries' server key.</summary>
    public required string RegistryKey { get; init; }

    /// <summary>Gets a user of the registry.</summary>
    public required string User { get; init; }

    /// <summary>Gets that user's password.</summary>
    public required string Password { get; init; }

    /// <summary>Gets a user whose password is made of symbols and non-ASCII letters.</summary>
    public required string SymbolUser { get; init; }

    /// <summary>Gets that user's password.</summary>
    public required string SymbolPassword { get; init; }

    /// <summary>Gets the pushed test image, repository and tag (<c>test/hello:1.0</c>), without the registry.</summary>
    public required string Image { get; init; }

    /// <summary>Gets a second pushed test image.</summary>
    public required string OtherImage { get; init; }

    /// <summary>Gets the registry with token authentication.</summary>
    public required string TokenRegistry { get; init; }

    /// <summary>Gets the token realm URL that the token registry names; tests serve it themselves.</summary>
    public required string TokenRealm { get; init; }

    /// <summary>Gets the port of the token realm.</summary>
    public required int TokenRealmPort { get; init; }

    /// <summary>Gets the token service name.</summary>
    public required string TokenService { get; init; }

    /// <summary>Gets the token issuer name.</summary>
    public required string TokenIssuer { get; init; }

    /// <summary>Gets the PEM private key that signs tokens.</summary>
    public required string TokenKey { get; init; }

    /// <summary>Gets the PEM certificate of the token signing key.</summary>
    public required string TokenCert { get; init; }

    /// <summary>Reads the services from the environment, or fails the test with a message that says how to start them.</summary>
    /// <returns>The services.</returns>
    public static TestServices Require()
    {
        var variables = new RequiredVariables();

        var services = new TestServices
        {
            DockerHost = variables.Get("REGISTRIES_TEST_DOCKER_HOST"),
            DockerCli = variables.Get("REGISTRIES_TEST_DOCKER_CLI"),
            Dockerd = variables.Get("REGISTRIES_TEST_DOCKERD"),
            Skopeo = variables.Get("REGISTRIES_TEST_SKOPEO"),
            Registry = variables.Get("REGISTRIES_TEST_REGISTRY"),
            SecureRegistry = System.Environment.GetEnvironmentVariable("REGISTRIES_TEST_SECURE_REGISTRY") ?? string.Empty,
            RegistryCa = variables.Get("REGISTRIES_TEST_REGISTRY_CA"),
            RegistryCert = variables.Get("REGISTRIES_TEST_REGISTRY_CERT"),
            RegistryKey = variables.Get("REGISTRIES_TEST_REGISTRY_KEY"),
            User = variables.Get("REGISTRIES_TEST_USER"),
            Password = variables.Get("REGISTRIES_TEST_PASSWORD"),
            SymbolUser = variables.Get("REGISTRIES_TEST_SYMBOL_USER"),
            SymbolPassword = variables.Get("REGISTRIES_TEST_SYMBOL_PASSWORD"),
            Image = variables.Get("REGISTRIES_TEST_IMAGE"),
            OtherImage = variables.Get("REGISTRIES_TEST_OTHER_IMAGE"),
            TokenRegistry = variables.Get("REGISTRIES_TEST_TOKEN_REGISTRY"),
            TokenRealm = variables.Get("REGISTRIES_TEST_TOKEN_REALM"),
            TokenRealmPort = int.TryParse(variables.Get("REGISTRIES_TEST_TOKEN_REALM_PORT"), out var port) ? port : 0,
            TokenService = variables.Get("REGISTRIES_TEST_TOKEN_SERVICE"),
            TokenIssuer = variables.Get("REGISTRIES_TEST_TOKEN_ISSUER"),
            TokenKey = variables.Get("REGISTRIES_TEST_TOKEN_KEY"),
            TokenCert = variables.Get("REGISTRIES_TEST_TOKEN_CERT"),
        };

        variables.FailIfMissing("the real dockerd and registries");

        return services;
    }

    /// <summary>Reads the PostgreSQL server that <c>eng/services.sh</c> started, or fails the test with a message that says how to start it.</summary>
    /// <remarks>Only the PostgreSQL variables are needed, not dockerd's.</remarks>
    /// <returns>The server.</returns>
    public static TestPostgreSql RequirePostgreSql()
    {
        var variables = new RequiredVariables();

        var server = new TestPostgreSql
        {
            ConnectionString = variables.Get("REGISTRIES_TEST_POSTGRES"),
            BinDirectory = variables.Get("REGISTRIES_TEST_PG_BIN"),
            ServerUser = variables.Get("REGISTRIES_TEST_PG_USER"),
            DataDirectory = variables.Get("REGISTRIES_TEST_PG_DATA"),
            ControlCommand = variables.Get("REGISTRIES_TEST_PG_CTL"),
        };
        variables.FailIfMissing("the real PostgreSQL server");

        return server;
    }

    /// <summary>Returns the secure (TLS-verified) registry, failing the test when the namespace could not be made.</summary>
    /// <returns>The address.</returns>
    public string RequireSecureRegistry()
    {
        if (string.IsNullOrEmpty(SecureRegistry))
        {
            Assert.Fail("The secure registry (served from a network namespace) did not start" + Unavailable() + "; see eng/services.sh's output.");
        }

        return SecureRegistry;
    }

    // What eng/services.sh could not start, in its own words (empty when everything started).
    private static string Unavailable()
    {
        var reasons = System.Environment.GetEnvironmentVariable("REGISTRIES_TEST_UNAVAILABLE");
        return string.IsNullOrWhiteSpace(reasons) ? string.Empty : ": " + reasons.Trim().TrimEnd(';');
    }

    // Reads the variables eng/services.sh writes, remembering every missing one, so that a test fails with the whole list.
    private sealed class RequiredVariables
    {
        private readonly List<string> _missing = [];

        public string Get(string name)
        {
            var value = System.Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrEmpty(value))
            {
                _missing.Add(name);
                return string.Empty;
            }

            return value;
        }

        public void FailIfMissing(string what)
        {
            if (_missing.Count > 0 && Unavailable() is { Length: > 0 } reason)
            {
                Assert.Fail($"This test needs {what}, which eng/services.sh could not start{reason}");
            }

            if (_missing.Count > 0)
            {
                Assert.Fail(
                    $"This test needs {what}. Run it through 'bash eng/test.sh', or start the services with "
                    + "'bash eng/services.sh start /tmp/rs' and 'source /tmp/rs/env.sh'. Missing: " + string.Join(", ", _missing));
            }
        }
    }
}
