using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>A PostgreSQL cluster of one test's own, started with the commands <c>eng/services.sh</c> uses, so that the
/// test may stop and start it without disturbing the tests that share the services' server.</summary>
/// <remarks>Server commands run as the server user (<c>runuser</c>: the server refuses root); every wait is bounded by
/// <c>pg_ctl -t</c> and the process timeout. Disposing stops the server (immediate) and deletes the folder.</remarks>
internal sealed class PrivatePostgreSqlCluster : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    private readonly TestPostgreSql _server;
    private readonly TestDirectory _folder;
    private readonly string _options;

    private PrivatePostgreSqlCluster(TestPostgreSql server, TestDirectory folder, int port, string password)
    {
        _server = server;
        _folder = folder;
        Port = port;
        ConnectionString = $"Host=127.0.0.1;Port={port.ToString(CultureInfo.InvariantCulture)};Username=registries_fault;Password={password};Database=registries_fault;Timeout=5";
        SuperuserConnectionString = $"Host=127.0.0.1;Port={port.ToString(CultureInfo.InvariantCulture)};Username=registries_admin;Password={password};Database=registries_fault;Timeout=5";
        _options = $"-c listen_addresses=127.0.0.1 -c port={port.ToString(CultureInfo.InvariantCulture)} -c unix_socket_directories={folder.Path} -c fsync=off";
    }

    public int Port { get; }

    public string ConnectionString { get; }

    /// <summary>Gets a superuser's connection string to the same database: what a replication apply worker, a restore
    /// or a migration tool may do (<c>session_replication_role</c>, <c>DISABLE TRIGGER ALL</c>) needs one, and the
    /// shared server's test role is not.</summary>
    public string SuperuserConnectionString { get; }

    private string DataDirectory => _folder.Combine("data");

    public static async Task<PrivatePostgreSqlCluster> StartAsync()
    {
        var server = TestServices.RequirePostgreSql();
        var folder = new TestDirectory("registries-pg-");
        var cluster = new PrivatePostgreSqlCluster(server, folder, FreePort(), Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        try
        {
            await Processes.RunCheckedAsync("chmod", ["755", folder.Path]);
            await Processes.RunCheckedAsync("chown", ["-R", $"{server.ServerUser}:", folder.Path]);
            await cluster.AsServerUserAsync("initdb", ["-D", cluster.DataDirectory, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--auth-local=peer", "--auth-host=scram-sha-256"]);
            await cluster.StartServerAsync();
            var password = new Npgsql.NpgsqlConnectionStringBuilder(cluster.ConnectionString).Password;
            await cluster.PsqlAsync($"CREATE ROLE registries_fault LOGIN PASSWORD '{password}'");
            await cluster.PsqlAsync("CREATE DATABASE registries_fault OWNER registries_fault");
            await cluster.PsqlAsync($"CREATE ROLE registries_admin LOGIN SUPERUSER PASSWORD '{password}'");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the server as the tests' brief says: <c>pg_ctl stop -m fast</c>, which ends every session at once.</summary>
    public Task StopServerAsync() => AsServerUserAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop"]);

    public Task StartServerAsync() => AsServerUserAsync("pg_ctl", ["-D", DataDirectory, "-l", _folder.Combine("log"), "-o", _options, "-w", "-t", "60", "start"]);

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            await Processes.RunAsync("runuser", ["-u", _server.ServerUser, "--", _server.Program("pg_ctl"), "-D", DataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"], timeout: CommandTimeout);
        }

        _folder.Dispose();
    }

    private Task PsqlAsync(string sql)
        => AsServerUserAsync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", _folder.Path, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres", "-c", sql]);

    private async Task AsServerUserAsync(string program, string[] arguments)
    {
        var result = await Processes.RunAsync("runuser", ["-u", _server.ServerUser, "--", _server.Program(program), .. arguments], timeout: CommandTimeout);
        if (result.ExitCode != 0)
        {
            var log = _folder.Combine("log");
            throw new InvalidOperationException($"{program} failed ({result.ExitCode}): {result.Error} {result.Output} {(File.Exists(log) ? File.ReadAllText(log) : string.Empty)}");
        }
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
