using System.Text;

namespace Registries.Core.Interop.Tests;

public sealed class KubeletCredentialRequestTests
{
    [Fact]
    public void Parse_GoldenV1Request_ReadsTheImage()
    {
        var request = KubeletCredentialRequest.Parse(Golden.ReadBytes("Kubelet/golden/request-v1.json"));

        Assert.Equal(KubeletCredentialRequest.ApiVersionV1, request.ApiVersion);
        Assert.Equal("registry.example.com:5000/team/app:1.0", request.Image);
        Assert.Equal(RegistryAddress.Parse("registry.example.com:5000"), request.Reference.Address);
    }

    [Fact]
    public void Parse_ServiceAccountFields_AreIgnoredAndNeverRepeated()
    {
        var request = KubeletCredentialRequest.Parse(Golden.ReadBytes("Kubelet/golden/request-v1-service-account.json"));

        Assert.True(request.Reference.Address.IsDockerHub);
        Assert.DoesNotContain("token-canary", request.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_V1Beta1_IsAcceptedAndKept()
    {
        var request = KubeletCredentialRequest.Parse("""{"apiVersion":"credentialprovider.kubelet.k8s.io/v1beta1","kind":"CredentialProviderRequest","image":"quay.io/team/app"}"""u8);

        Assert.Equal(KubeletCredentialRequest.ApiVersionV1Beta1, request.ApiVersion);
    }

    [Theory]
    [InlineData("", "not valid JSON")]
    [InlineData("{", "not valid JSON")]
    [InlineData("[]", "not an object")]
    [InlineData("\"image\"", "not an object")]
    [InlineData("""{"kind":"CredentialProviderRequest","image":"a/b"}""", "has no apiVersion")]
    [InlineData("""{"apiVersion":"credentialprovider.kubelet.k8s.io/v2","kind":"CredentialProviderRequest","image":"a/b"}""", "is not one this provider speaks")]
    [InlineData("""{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderResponse","image":"a/b"}""", "is not CredentialProviderRequest")]
    [InlineData("""{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest"}""", "has no image")]
    [InlineData("""{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":""}""", "image is empty")]
    [InlineData("""{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":42}""", "not a string")]
    [InlineData("""{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":"a/b","image":"evil.example.com/b"}""", "2 times")]
    [InlineData("""{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":"UPPER/Case:!!"}""", "not an image reference")]
    [InlineData("""{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":"reg.example.com/app\u001b[31m\n:1"}""", "not an image reference")]
    public void Parse_BadRequest_ThrowsWithTheReason(string json, string expected)
    {
        var exception = Assert.Throws<KubeletCredentialRequestException>(() => KubeletCredentialRequest.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<FormatException>(exception);
    }

    [Fact]
    public void Parse_HugeImage_IsRefusedWithoutQuotingIt()
    {
        var image = "registry.example.com/" + new string('a', 10_000);
        var json = $$"""{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":"{{image}}"}""";

        var exception = Assert.Throws<KubeletCredentialRequestException>(() => KubeletCredentialRequest.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.True(exception.Message.Length < 300, exception.Message);
    }

    [Fact]
    public void Parse_TokenInABadRequest_IsNotInTheMessage()
    {
        var json = """{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","serviceAccountToken":"token-canary","image":"bad image"}""";

        var exception = Assert.Throws<KubeletCredentialRequestException>(() => KubeletCredentialRequest.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.DoesNotContain("token-canary", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_EndlessStream_StopsAtTheBound()
    {
        var input = new EndlessStream();

        var exception = await Assert.ThrowsAsync<KubeletCredentialRequestException>(() => KubeletCredentialRequest.ReadAsync(input));

        Assert.Contains("larger than 64 KiB", exception.Message, StringComparison.Ordinal);
        Assert.Equal(KubeletCredentialRequest.MaxBytes + 1, input.BytesRead);
    }

    [Fact]
    public async Task ReadAsync_GoldenRequestInSmallChunks_IsRead()
    {
        using var input = new MemoryStream(Golden.ReadBytes("Kubelet/golden/request-v1.json"));

        var request = await KubeletCredentialRequest.ReadAsync(new TrickleStream(input));

        Assert.Equal("registry.example.com:5000/team/app:1.0", request.Image);
    }

    [Fact]
    public void For_Image_BuildsAV1Request()
    {
        var request = KubeletCredentialRequest.For(ImageReference.Parse("quay.io/team/app:2"));

        Assert.Equal(KubeletCredentialRequest.ApiVersionV1, request.ApiVersion);
        Assert.Equal("quay.io/team/app:2", request.Image);
    }

    // Zeros for ever, as /dev/zero gives: only the bound stops a reader.
    private sealed class EndlessStream : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Clear(buffer, offset, count);
            BytesRead += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    // A pipe hands over a few bytes at a time.
    private sealed class TrickleStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 7));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
