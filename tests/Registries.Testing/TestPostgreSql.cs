namespace Registries.Testing;

/// <summary>The PostgreSQL server started by <c>eng/services.sh</c>, read from the <c>REGISTRIES_TEST_PG*</c> variables.</summary>
/// <remarks>Get it from <see cref="TestServices.RequirePostgreSql"/>, which fails the test when the server is missing.</remarks>
public sealed class TestPostgreSql
{
    internal TestPostgreSql()
    {
    }

    /// <summary>Gets an Npgsql connection string (key=value) of a test role that may create databases.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>Gets the server's bin folder (<c>initdb</c>, <c>pg_ctl</c>, <c>pg_dump</c>, <c>psql</c>).</summary>
    public required string BinDirectory { get; init; }

    /// <summary>Gets the OS user the server runs as (it refuses root); server commands run as it through <c>runuser</c>.</summary>
    public required string ServerUser { get; init; }

    /// <summary>Gets the shared server's data folder.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Gets the shared server's <c>pg_ctl</c> command line (as the server user), to which <c>start</c> or <c>stop</c> is appended.</summary>
    /// <remarks>Stopping the shared server disturbs every test running at the same time: a test that stops a server
    /// starts a private cluster of its own.</remarks>
    public required string ControlCommand { get; init; }

    /// <summary>Gets the path of a program of the server's bin folder.</summary>
    /// <param name="name">The program, for example <c>pg_dump</c>.</param>
    /// <returns>The path.</returns>
    public string Program(string name) => Path.Combine(BinDirectory, name);
}
