using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Registries.Core.AspNetCore.Tests.Infrastructure;

namespace Registries.Core.AspNetCore.Tests.Endpoints;

/// <summary>The API on the real Kestrel, on a loopback port: the body limit and the answers over a real socket.</summary>
public sealed class KestrelTests : IAsyncLifetime
{
    private readonly SwitchableStore _store = new();
    private readonly FakeLogCollector _logs = new();
    private WebApplication? _app;
    private HttpClient? _client;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        TestApp.ConfigureServices(builder.Services, _store, _logs);
        _app = builder.Build();
        _app.UseExceptionHandler();
        _app.UseAuthentication();
        _app.UseAuthorization();
        TestApp.MapEndpoints(_app);
        using var started = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StartAsync(started.Token);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null)
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _app.StopAsync(stopping.Token);
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Kestrel_AddListResolve_WorkOverLoopback()
    {
        var created = await ApiFactory.SendAsync(_client!, HttpMethod.Post, "/api/registries/environments", ApiFactory.Owner, new { name = "prod" });
        Assert.Equal(201, created.Status);
        var env = "/api/registries/environments/" + created.Json.GetProperty("id").GetString();

        var added = await ApiFactory.SendAsync(_client!, HttpMethod.Post, env + "/registries", ApiFactory.Owner,
            new { kind = "custom", address = ApiFactory.Address, email = "o@example.com", username = "o", password = ApiFactory.Canary });
        var listed = await ApiFactory.SendAsync(_client!, HttpMethod.Get, env + "/registries", ApiFactory.Owner);
        var resolved = await ApiFactory.SendAsync(_client!, HttpMethod.Get, env + "/resolve?image=" + ApiFactory.Address + "/app", ApiFactory.Owner);
        var anonymous = await ApiFactory.SendAsync(_client!, HttpMethod.Get, env + "/registries", user: null);

        Assert.Equal(201, added.Status);
        Assert.Equal(1, listed.Json.GetArrayLength());
        Assert.Equal("authenticated", resolved.Json.GetProperty("outcome").GetString());
        anonymous.AssertProblem(401, "unauthenticated");
        Assert.DoesNotContain(ApiFactory.Canary, added.Body + listed.Body + resolved.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(_logs.GetSnapshot(), r => (r.Message + r.Exception).Contains(ApiFactory.Canary, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Kestrel_HugeChunkedBody_Is413()
    {
        var created = await ApiFactory.SendAsync(_client!, HttpMethod.Post, "/api/registries/environments", ApiFactory.Owner, new { name = "prod" });
        var env = "/api/registries/environments/" + created.Json.GetProperty("id").GetString();
        using var request = new HttpRequestMessage(HttpMethod.Post, env + "/registries");
        request.Headers.Add(HeaderAuthenticationHandler.UserHeader, ApiFactory.Owner);

        // No Content-Length: only the bounded read (and Kestrel's own limit, set per request) stops it. Twice the limit: small
        // enough for the socket to take it all before the server answers and closes.
        request.Content = new StreamContent(new HugeJsonStream(128 * 1024));
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;
        using var response = await _client!.SendAsync(request);

        Assert.Equal(413, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("team%2Falice", "team/alice")]
    [InlineData("team%252Falice", "team%2Falice")]
    [InlineData("50%25", "50%")]
    [InlineData("caf%C3%A9", "café")]
    public async Task Kestrel_MemberNameInThePath_IsDecodedExactlyOnce(string segment, string user)
    {
        var created = await ApiFactory.SendAsync(_client!, HttpMethod.Post, "/api/registries/environments", ApiFactory.Owner, new { name = "prod" });
        var env = "/api/registries/environments/" + created.Json.GetProperty("id").GetString();

        var added = await ApiFactory.SendAsync(_client!, HttpMethod.Put, env + "/members/" + segment, ApiFactory.Owner, new { role = "member" });
        var removed = await ApiFactory.SendAsync(_client!, HttpMethod.Delete, env + "/members/" + segment, ApiFactory.Owner);

        Assert.Equal(200, added.Status);
        Assert.Contains(added.Json.GetProperty("members").EnumerateArray(), m => m.GetProperty("user").GetString() == user);
        Assert.Equal(200, removed.Status);
        Assert.DoesNotContain(removed.Json.GetProperty("members").EnumerateArray(), m => m.GetProperty("user").GetString() == user);
    }

    [Theory]
    [InlineData("%FF")]
    [InlineData("a%C3")]
    public async Task Kestrel_MemberNameNotUtf8OnceDecoded_Is400NamingUser(string segment)
    {
        var created = await ApiFactory.SendAsync(_client!, HttpMethod.Post, "/api/registries/environments", ApiFactory.Owner, new { name = "prod" });
        var env = "/api/registries/environments/" + created.Json.GetProperty("id").GetString();

        var response = await ApiFactory.SendAsync(_client!, HttpMethod.Put, env + "/members/" + segment, ApiFactory.Owner, new { role = "member" });

        Assert.Contains("not valid UTF-8", response.AssertProblem(400, "invalid-input"), StringComparison.Ordinal);
        Assert.Equal("user", response.Json.GetProperty("field").GetString());
    }

    // {"email":"aaaa…" without end: a body of the given size, made as it is read.
    private sealed class HugeJsonStream(long length) : Stream
    {
        private static readonly byte[] Head = "{\"email\":\""u8.ToArray();
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            for (var i = 0; i < n; i++)
            {
                var at = _position + i;
                buffer[offset + i] = at < Head.Length ? Head[at] : (byte)'a';
            }

            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
