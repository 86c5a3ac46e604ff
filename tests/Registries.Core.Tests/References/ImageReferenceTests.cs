using Registries.Core;

namespace Registries.Core.Tests.References;

// Rows after the test tables of github.com/distribution/reference (reference_test.go, normalize_test.go,
// regexp_test.go), rewritten for ParseNormalizedNamed, which is what Docker runs on `docker pull NAME`.
[Collection(ReferencesCollection.Name)]
public partial class ImageReferenceTests
{
    private const string Hex64 = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    private const string Hex96 = Hex64 + "ffffffffffffffffffffffffffffffff";
    private const string Hex128 = Hex64 + Hex64;
    private const string Sha256 = "sha256:" + Hex64;
    private const string ImageId = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";
    private const string BusyboxDigest = "sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";

    public static TheoryData<string, string, string, string?, string?, string> ValidReferences => new()
    {
        // input, registry, repository, tag, digest, familiar name
        { "test_com", "docker.io", "library/test_com", null, null, "test_com" },
        { "test.com:tag", "docker.io", "library/test.com", "tag", null, "test.com" },
        { "test.com:5000", "docker.io", "library/test.com", "5000", null, "test.com" },
        { "test.com/repo:tag", "test.com", "repo", "tag", null, "test.com/repo" },
        { "test:5000/repo", "test:5000", "repo", null, null, "test:5000/repo" },
        { "test:5000/repo:tag", "test:5000", "repo", "tag", null, "test:5000/repo" },
        { "test:5000/repo@" + Sha256, "test:5000", "repo", null, Sha256, "test:5000/repo" },
        { "test:5000/repo:tag@" + Sha256, "test:5000", "repo", "tag", Sha256, "test:5000/repo" },
        { "lowercase:Uppercase", "docker.io", "library/lowercase", "Uppercase", null, "lowercase" },
        { "sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "bar/baz/quux", null, null, "sub-dom1.foo.com/bar/baz/quux" },
        { "sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux", "some-long-tag", null, "sub-dom1.foo.com/bar/baz/quux" },
        { "b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app", "test.example.com", null, "b.gcr.io/test.example.com/my-app" },
        { "xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", "xn--n3h.com", null, "xn--n3h.com/myimage" },
        { "xn--7o8h.com/myimage:xn--7o8h.com@sha512:" + Hex128, "xn--7o8h.com", "myimage", "xn--7o8h.com", "sha512:" + Hex128, "xn--7o8h.com/myimage" },
        { "foo_bar.com:8080", "docker.io", "library/foo_bar.com", "8080", null, "foo_bar.com" },
        { "foo/foo_bar.com:8080", "docker.io", "foo/foo_bar.com", "8080", null, "foo/foo_bar.com" },
        { "192.168.1.1", "docker.io", "library/192.168.1.1", null, null, "192.168.1.1" },
        { "192.168.1.1:tag", "docker.io", "library/192.168.1.1", "tag", null, "192.168.1.1" },
        { "192.168.1.1:5000", "docker.io", "library/192.168.1.1", "5000", null, "192.168.1.1" },
        { "192.168.1.1/repo", "192.168.1.1", "repo", null, null, "192.168.1.1/repo" },
        { "192.168.1.1:5000/repo", "192.168.1.1:5000", "repo", null, null, "192.168.1.1:5000/repo" },
        { "192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo", "5050", null, "192.168.1.1:5000/repo" },
        { "[2001:db8::1]/repo", "[2001:db8::1]", "repo", null, null, "[2001:db8::1]/repo" },
        { "[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "repo", "tag", null, "[2001:db8:1:2:3:4:5:6]/repo" },
        { "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "repo", null, null, "[2001:db8::1]:5000/repo" },
        { "[2001:db8::1]:5000/repo:tag", "[2001:db8::1]:5000", "repo", "tag", null, "[2001:db8::1]:5000/repo" },
        { "[2001:db8::1]:5000/repo@" + Sha256, "[2001:db8::1]:5000", "repo", null, Sha256, "[2001:db8::1]:5000/repo" },
        { "[2001:db8::1]:5000/repo:tag@" + Sha256, "[2001:db8::1]:5000", "repo", "tag", Sha256, "[2001:db8::1]:5000/repo" },
        { "[2001:db8::]:5000/repo", "[2001:db8::]:5000", "repo", null, null, "[2001:db8::]:5000/repo" },
        { "[::1]:5000/repo", "[::1]:5000", "repo", null, null, "[::1]:5000/repo" },
        { "docker/docker", "docker.io", "docker/docker", null, null, "docker/docker" },
        { "library/debian", "docker.io", "library/debian", null, null, "debian" },
        { "debian", "docker.io", "library/debian", null, null, "debian" },
        { "docker.io/docker/docker", "docker.io", "docker/docker", null, null, "docker/docker" },
        { "docker.io/library/debian", "docker.io", "library/debian", null, null, "debian" },
        { "docker.io/debian", "docker.io", "library/debian", null, null, "debian" },
        { "index.docker.io/docker/docker", "docker.io", "docker/docker", null, null, "docker/docker" },
        { "index.docker.io/library/debian", "docker.io", "library/debian", null, null, "debian" },
        { "index.docker.io/debian", "docker.io", "library/debian", null, null, "debian" },
        { "127.0.0.1:5000/docker/docker", "127.0.0.1:5000", "docker/docker", null, null, "127.0.0.1:5000/docker/docker" },
        { "127.0.0.1:5000/library/debian", "127.0.0.1:5000", "library/debian", null, null, "127.0.0.1:5000/library/debian" },
        { "127.0.0.1:5000/debian", "127.0.0.1:5000", "debian", null, null, "127.0.0.1:5000/debian" },
        { "192.168.0.1", "docker.io", "library/192.168.0.1", null, null, "192.168.0.1" },
        { "192.168.0.1:80", "docker.io", "library/192.168.0.1", "80", null, "192.168.0.1" },
        { "192.168.0.1:8/debian", "192.168.0.1:8", "debian", null, null, "192.168.0.1:8/debian" },
        { "192.168.0.2:25000/debian", "192.168.0.2:25000", "debian", null, null, "192.168.0.2:25000/debian" },
        { "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "docker.io", "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", null, null, "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev" },
        { "[fc00::1]:5000/docker", "[fc00::1]:5000", "docker", null, null, "[fc00::1]:5000/docker" },
        { "[fc00::1]:5000/docker/docker", "[fc00::1]:5000", "docker/docker", null, null, "[fc00::1]:5000/docker/docker" },
        { "[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000", "library/debian", null, null, "[fc00:1:2:3:4:5:6:7]:5000/library/debian" },
        { "docker.io/" + ImageId, "docker.io", "library/" + ImageId, null, null, ImageId },
        { "Docker/docker", "Docker", "docker", null, null, "Docker/docker" },
        { "DOCKER/docker", "DOCKER", "docker", null, null, "DOCKER/docker" },
        { "docker-rules/docker", "docker.io", "docker-rules/docker", null, null, "docker-rules/docker" },
        { "docker---rules/docker", "docker.io", "docker---rules/docker", null, null, "docker---rules/docker" },
        { "doc/docker", "docker.io", "doc/docker", null, null, "doc/docker" },
        { "d/docker", "docker.io", "d/docker", null, null, "d/docker" },
        { "jess/t", "docker.io", "jess/t", null, null, "jess/t" },
        { "dock__er/docker", "docker.io", "dock__er/docker", null, null, "dock__er/docker" },
        { "fooo/bar", "docker.io", "fooo/bar", null, null, "fooo/bar" },
        { "index.docker.io/fooo/bar", "docker.io", "fooo/bar", null, null, "fooo/bar" },
        { "nonlibrary/ubuntu", "docker.io", "nonlibrary/ubuntu", null, null, "nonlibrary/ubuntu" },
        { "other/library", "docker.io", "other/library", null, null, "other/library" },
        { "127.0.0.1:8000/private/moonbase", "127.0.0.1:8000", "private/moonbase", null, null, "127.0.0.1:8000/private/moonbase" },
        { "127.0.0.1:8000/privatebase", "127.0.0.1:8000", "privatebase", null, null, "127.0.0.1:8000/privatebase" },
        { "example.com/private/moonbase", "example.com", "private/moonbase", null, null, "example.com/private/moonbase" },
        { "example.com:8000/privatebasee", "example.com:8000", "privatebasee", null, null, "example.com:8000/privatebasee" },
        { "ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base", null, null, "ubuntu-12.04-base" },
        { "docker.io/foo", "docker.io", "library/foo", null, null, "foo" },
        { "library/foo/bar", "docker.io", "library/foo/bar", null, null, "library/foo/bar" },
        { "docker.io/library/foo/bar", "docker.io", "library/foo/bar", null, null, "library/foo/bar" },
        { "store/foo/bar", "docker.io", "store/foo/bar", null, null, "store/foo/bar" },
        { "Foo/bar", "Foo", "bar", null, null, "Foo/bar" },
        { "FOO/bar", "FOO", "bar", null, null, "FOO/bar" },
        { "busybox:latest@" + BusyboxDigest, "docker.io", "library/busybox", "latest", BusyboxDigest, "busybox" },
        { "redis@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c", "docker.io", "library/redis", null, "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c", "redis" },
        { "dmcgowan/myapp:latest", "docker.io", "dmcgowan/myapp", "latest", null, "dmcgowan/myapp" },
        { "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", "docker.io", "library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", null, null, "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9" },
        { "registry.io/foo/project--id.module--name.ver---sion--name", "registry.io", "foo/project--id.module--name.ver---sion--name", null, null, "registry.io/foo/project--id.module--name.ver---sion--name" },
        { "example.com/some_separator__underscore/myimage", "example.com", "some_separator__underscore/myimage", null, null, "example.com/some_separator__underscore/myimage" },
        { "Asdf.com/foo/bar", "Asdf.com", "foo/bar", null, null, "Asdf.com/foo/bar" },
        { "localhost:8080@" + Sha256, "docker.io", "library/localhost", "8080", Sha256, "localhost" },
        { "localhost@" + Sha256, "docker.io", "library/localhost", null, Sha256, "localhost" },

        // The first component is a registry only with '.', ':', uppercase, or as "localhost".
        { "localhost", "docker.io", "library/localhost", null, null, "localhost" },
        { "localhost:5000", "docker.io", "library/localhost", "5000", null, "localhost" },
        { "localhost/app", "localhost", "app", null, null, "localhost/app" },
        { "localhost:5000/app:1.0", "localhost:5000", "app", "1.0", null, "localhost:5000/app" },
        { "LOCALHOST/app", "LOCALHOST", "app", null, null, "LOCALHOST/app" },
        { "quay.io/org/app", "quay.io", "org/app", null, null, "quay.io/org/app" },
        { "ubuntu", "docker.io", "library/ubuntu", null, null, "ubuntu" },
        { "ubuntu:22.04", "docker.io", "library/ubuntu", "22.04", null, "ubuntu" },
        { "org/app", "docker.io", "org/app", null, null, "org/app" },

        // Only "docker.io" and "index.docker.io" as written are Docker Hub's domain for the name (no "library/" otherwise).
        { "registry-1.docker.io/ubuntu", "registry-1.docker.io", "ubuntu", null, null, "registry-1.docker.io/ubuntu" },
        { "Docker.IO/ubuntu", "Docker.IO", "ubuntu", null, null, "Docker.IO/ubuntu" },
        { "docker.io:443/ubuntu", "docker.io:443", "ubuntu", null, null, "docker.io:443/ubuntu" },

        // Docker's domain grammar: any digits as port, hex digits and ':' in brackets.
        { "registry.example.com:99999/app", "registry.example.com:99999", "app", null, null, "registry.example.com:99999/app" },
        { "registry.example.com:05000/app", "registry.example.com:05000", "app", null, null, "registry.example.com:05000/app" },
        { "[fd00123123123]:5000/repo", "[fd00123123123]:5000", "repo", null, null, "[fd00123123123]:5000/repo" },
        { "[ABC]/repo", "[ABC]", "repo", null, null, "[ABC]/repo" },
        { "0101.com/a", "0101.com", "a", null, null, "0101.com/a" },

        // Separators, tags, digests.
        { "ab/a.b_c__d-e---f/g", "docker.io", "ab/a.b_c__d-e---f/g", null, null, "ab/a.b_c__d-e---f/g" },
        { "ubuntu:_", "docker.io", "library/ubuntu", "_", null, "ubuntu" },
        { "ubuntu:V1.0-RC_2", "docker.io", "library/ubuntu", "V1.0-RC_2", null, "ubuntu" },
        { "ubuntu@sha384:" + Hex96, "docker.io", "library/ubuntu", null, "sha384:" + Hex96, "ubuntu" },
    };

    public static TheoryData<string, ImageReferenceError> InvalidReferences => new()
    {
        { "", ImageReferenceError.NameEmpty },
        { ":justtag", ImageReferenceError.InvalidFormat },
        { "@" + Sha256, ImageReferenceError.InvalidFormat },
        { "repo@sha256:ffffffffffffffffffffffffffffffffff", ImageReferenceError.DigestInvalidFormat },
        { "validname@invaliddigest:" + Hex64, ImageReferenceError.DigestInvalidFormat },
        { "Uppercase:tag", ImageReferenceError.NameContainsUppercase },
        { "test:5000/Uppercase/lowercase:tag", ImageReferenceError.NameContainsUppercase },
        { "aa/asdf$$^/aa", ImageReferenceError.InvalidFormat },
        { "[2001:db8::1]", ImageReferenceError.InvalidFormat },
        { "[2001:db8::1]:5000", ImageReferenceError.InvalidFormat },
        { "[2001:db8::1]:tag", ImageReferenceError.InvalidFormat },
        { "[fe80::1%eth0]:5000/repo", ImageReferenceError.InvalidFormat },
        { "[fe80::1%@invalidzone]:5000/repo", ImageReferenceError.InvalidFormat },
        { "https://github.com/docker/docker", ImageReferenceError.InvalidFormat },
        { "docker/Docker", ImageReferenceError.NameContainsUppercase },
        { "-docker", ImageReferenceError.InvalidFormat },
        { "-docker/docker", ImageReferenceError.InvalidFormat },
        { "-docker.io/docker/docker", ImageReferenceError.InvalidFormat },
        { "docker///docker", ImageReferenceError.InvalidFormat },
        { "docker.io/docker/Docker", ImageReferenceError.NameContainsUppercase },
        { "docker.io/docker///docker", ImageReferenceError.InvalidFormat },
        { "[fc00::1]", ImageReferenceError.InvalidFormat },
        { "[fc00::1]:5000", ImageReferenceError.InvalidFormat },
        { "fc00::1:5000/debian", ImageReferenceError.InvalidFormat },
        { "[fe80::1%eth0]:5000/debian", ImageReferenceError.InvalidFormat },
        { "[2001:db8:3:4::192.0.2.33]:5000/debian", ImageReferenceError.InvalidFormat },
        { ImageId, ImageReferenceError.InvalidFormat },
        { "docker-/docker", ImageReferenceError.InvalidFormat },
        { "-docker-/docker", ImageReferenceError.InvalidFormat },
        { "____/____", ImageReferenceError.InvalidFormat },
        { "_docker/_docker", ImageReferenceError.InvalidFormat },
        { "docker_/docker_", ImageReferenceError.InvalidFormat },
        { "dock..er/docker", ImageReferenceError.InvalidFormat },
        { "dock_.er/docker", ImageReferenceError.InvalidFormat },
        { "dock-.er/docker", ImageReferenceError.InvalidFormat },
        { "dock___er/docker", ImageReferenceError.InvalidFormat },
        { "docker/", ImageReferenceError.InvalidFormat },
        { "-foo", ImageReferenceError.InvalidFormat },
        { "a/a/a/a/", ImageReferenceError.InvalidFormat },
        { "a//a/a", ImageReferenceError.InvalidFormat },
        { "foo.com/", ImageReferenceError.InvalidFormat },
        { "foo.com:http/bar", ImageReferenceError.InvalidFormat },
        { "a^a", ImageReferenceError.InvalidFormat },
        { "foo.com/a-/a/a", ImageReferenceError.InvalidFormat },
        { "foo/bar-", ImageReferenceError.InvalidFormat },
        { "foo/-bar", ImageReferenceError.InvalidFormat },
        { "foo_bar.com:8080/app", ImageReferenceError.InvalidFormat },
        { "example.com/__underscore/myimage", ImageReferenceError.InvalidFormat },
        { "example.com/..dots/myimage", ImageReferenceError.InvalidFormat },
        { "example.com/.dots/myimage", ImageReferenceError.InvalidFormat },
        { "docker./docker", ImageReferenceError.InvalidFormat },
        { ".docker/docker", ImageReferenceError.InvalidFormat },
        { "do__cker:8080/docker", ImageReferenceError.InvalidFormat },
        { "Foo/FarB", ImageReferenceError.NameContainsUppercase },
        { "registry.com:8080/myapp@sha256:badbadbadbad", ImageReferenceError.InvalidFormat },
        { "registry.com:8080/myapp:invalid~tag", ImageReferenceError.InvalidFormat },
        { "bad_hostname.com:8080/myapp:tag", ImageReferenceError.InvalidFormat },
        { "localhost:http/name@" + Sha256, ImageReferenceError.InvalidFormat },
        { "registry.com:8080/myapp@bad", ImageReferenceError.InvalidFormat },
        { "registry.com:8080/myapp@2bad", ImageReferenceError.InvalidFormat },
        { "-ab.com/a", ImageReferenceError.InvalidFormat },
        { "ab-.com/a", ImageReferenceError.InvalidFormat },
        { "ab.-com/a", ImageReferenceError.InvalidFormat },
        { "ab.com-/a", ImageReferenceError.InvalidFormat },
        { "[fd00:1:2::3]75050/a", ImageReferenceError.InvalidFormat },
        { "[fd00:1:2::3]::75050/a", ImageReferenceError.InvalidFormat },
        { "fd00:1:2::3:75050/a", ImageReferenceError.InvalidFormat },

        // Uppercase in the remote name, ASCII or not, is its own error; elsewhere it is a format error.
        { "Ubuntu", ImageReferenceError.NameContainsUppercase },
        { "UBUNTU:Latest", ImageReferenceError.NameContainsUppercase },
        { "foo/b$r/Baz", ImageReferenceError.NameContainsUppercase },
        { "foo/b\u00c4r", ImageReferenceError.NameContainsUppercase },
        { "foo/b\u00e4r", ImageReferenceError.InvalidFormat },
        { "\u00c4foo/bar", ImageReferenceError.InvalidFormat },
        { "ub\u00fcntu", ImageReferenceError.InvalidFormat },
        { "\u212Afoo/bar", ImageReferenceError.NameContainsUppercase },
        { "ubuntu:la\u212Atest", ImageReferenceError.NameContainsUppercase },
        { "FOO_bar.com/x", ImageReferenceError.NameContainsUppercase },
        { "ubuntu@SHA256:" + Hex64, ImageReferenceError.NameContainsUppercase },

        // Digests: malformed is a format error, well formed but unusable is a digest error.
        { "ubuntu:tag@SHA256:" + Hex64, ImageReferenceError.DigestInvalidFormat },
        { "ubuntu@sha256:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", ImageReferenceError.DigestInvalidFormat },
        { "ubuntu@sha1:ffffffffffffffffffffffffffffffffffffffff", ImageReferenceError.DigestInvalidFormat },
        { "ubuntu@sha512:" + Hex64, ImageReferenceError.DigestInvalidFormat },
        { "ubuntu@sha256:" + Hex64 + "f", ImageReferenceError.DigestInvalidFormat },
        { "ubuntu@sha256:ffff", ImageReferenceError.InvalidFormat },
        { "ubuntu@sha256:" + Hex64 + "g", ImageReferenceError.InvalidFormat },
        { "ubuntu@", ImageReferenceError.InvalidFormat },
        { "ubuntu@" + Sha256 + "@" + Sha256, ImageReferenceError.InvalidFormat },
        { "ubuntu@:" + Hex64, ImageReferenceError.InvalidFormat },

        // Tags are checked by Docker's grammar, so a bad tag is a format error.
        { "ubuntu:", ImageReferenceError.InvalidFormat },
        { "ubuntu:-tag", ImageReferenceError.InvalidFormat },
        { "ubuntu:.tag", ImageReferenceError.InvalidFormat },
        { "ubuntu:tag:tag", ImageReferenceError.InvalidFormat },
        { "ubuntu:ta/g", ImageReferenceError.InvalidFormat },
        { "ubuntu:ta g", ImageReferenceError.InvalidFormat },

        // Blanks, schemes, empty parts.
        { " ubuntu", ImageReferenceError.InvalidFormat },
        { "ubuntu ", ImageReferenceError.InvalidFormat },
        { "ubu ntu", ImageReferenceError.InvalidFormat },
        { "/ubuntu", ImageReferenceError.InvalidFormat },
        { "localhost/", ImageReferenceError.InvalidFormat },
        { "[abc]/foo", ImageReferenceError.InvalidFormat },
        { "[]:5000/foo", ImageReferenceError.InvalidFormat },
        { "host:/foo", ImageReferenceError.InvalidFormat },

        // Deliberate differences from Docker, which reads these as names without any registry.
        { "foo_bar.com/x", ImageReferenceError.InvalidFormat },
        { "my_registry.local/team/app:1", ImageReferenceError.InvalidFormat },
        { "registry.example.com:99999999999/app", ImageReferenceError.InvalidFormat },
    };

    [Theory]
    [MemberData(nameof(ValidReferences))]
    public void Parse_ValidReference_HasDockersParts(string input, string registry, string repository, string? tag, string? digest, string familiarName)
    {
        var reference = ImageReference.Parse(input);

        Assert.Equal(registry, reference.Address.ToString());
        Assert.Equal(repository, reference.Repository);
        Assert.Equal(tag, reference.Tag);
        Assert.Equal(digest, reference.Digest);
        Assert.Equal(familiarName, reference.FamiliarName);
        Assert.Equal(registry + "/" + repository + (tag is null ? string.Empty : ":" + tag) + (digest is null ? string.Empty : "@" + digest), reference.ToString());
        Assert.Equal(reference, ImageReference.Parse(reference.ToString()));
        Assert.Equal(reference.ToString(), ImageReference.Parse(reference.ToString()).ToString());
    }

    [Theory]
    [MemberData(nameof(ValidReferences))]
    public void TryParse_Span_AgreesWithString(string input, string registry, string repository, string? tag, string? digest, string familiarName)
    {
        Assert.True(ImageReference.TryParse(input.AsSpan(), out var fromSpan));
        Assert.True(ImageReference.TryParse(input, out var fromString));
        Assert.Equal(fromString, fromSpan);
        Assert.Equal(fromString, ImageReference.Parse(input.AsSpan()));
        Assert.Equal(registry + "/" + repository, fromSpan.Name);
        Assert.Equal(tag, fromSpan.Tag);
        Assert.Equal(digest, fromSpan.Digest);
        Assert.Equal(familiarName, fromSpan.FamiliarName);
    }

    [Theory]
    [MemberData(nameof(InvalidReferences))]
    public void Parse_InvalidReference_ThrowsWithDockersError(string input, ImageReferenceError error)
    {
        var exception = Assert.Throws<ImageReferenceFormatException>(() => ImageReference.Parse(input));

        Assert.Equal(error, exception.Error);
        Assert.IsAssignableFrom<FormatException>(exception);
        if (input.Length > 0)
        {
            Assert.Contains("'" + input.Trim() + "'", exception.Message.Replace("'" + input + "'", "'" + input.Trim() + "'", StringComparison.Ordinal), StringComparison.Ordinal);
        }

        Assert.False(ImageReference.TryParse(input, out var result));
        Assert.Null(result);
        Assert.False(ImageReference.TryParse(input.AsSpan(), out _));
        Assert.Equal(error, Assert.Throws<ImageReferenceFormatException>(() => ImageReference.Parse(input.AsSpan())).Error);
    }

    [Theory]
    [InlineData(255, true)]
    [InlineData(256, false)]
    public void Parse_PathLength_CountsTheNormalizedPathOnly(int length, bool valid)
    {
        var path = PathOfLength(length);
        var withLibrary = new string('a', length - "library/".Length);

        Assert.Equal(valid, ImageReference.TryParse(path, out _));
        Assert.Equal(valid, ImageReference.TryParse("quay.io/" + path, out _));
        Assert.Equal(valid, ImageReference.TryParse(withLibrary, out _));
        Assert.Equal(valid, ImageReference.TryParse("docker.io/" + withLibrary + ":tag", out _));
        Assert.Equal(valid, ImageReference.TryParse("registry.example.com:5000/" + path + ":tag@" + Sha256, out _));
        if (!valid)
        {
            Assert.Equal(ImageReferenceError.NameTooLong, Assert.Throws<ImageReferenceFormatException>(() => ImageReference.Parse(withLibrary)).Error);
        }
    }

    [Fact]
    public void Parse_GoTableNameTooLong_IsNameTooLong()
    {
        var tooLong = string.Concat(Enumerable.Repeat("a/", 128)) + "a:tag";
        var longest = string.Concat(Enumerable.Repeat("a/", 127)) + "a:tag-puts-this-over-max";
        var namespaceTooLong = string.Join('_', Enumerable.Repeat("this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255", 4)) + "/docker";

        Assert.Equal(ImageReferenceError.NameTooLong, Assert.Throws<ImageReferenceFormatException>(() => ImageReference.Parse(tooLong)).Error);
        Assert.Equal(ImageReferenceError.NameTooLong, Assert.Throws<ImageReferenceFormatException>(() => ImageReference.Parse(namespaceTooLong)).Error);
        Assert.Equal("tag-puts-this-over-max", ImageReference.Parse(longest).Tag);
        Assert.Equal(255, ImageReference.Parse(longest).Repository.Length);
    }

    [Theory]
    [InlineData(128, true)]
    [InlineData(129, false)]
    public void Parse_TagLength_IsAtMost128(int length, bool valid)
    {
        var tag = "v" + new string('1', length - 1);

        Assert.Equal(valid, ImageReference.TryParse("ubuntu:" + tag, out var reference));
        if (valid)
        {
            Assert.Equal(tag, reference!.Tag);
        }
    }

    [Fact]
    public void Parse_ImageId_ExplainsThatItIsAnId()
    {
        var exception = Assert.Throws<ImageReferenceFormatException>(() => ImageReference.Parse(ImageId));

        Assert.Equal(ImageReferenceError.InvalidFormat, exception.Error);
        Assert.Contains("image ID", exception.Message, StringComparison.Ordinal);
        Assert.Contains("@sha256:" + ImageId, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Ubuntu", "use 'ubuntu'")]
    [InlineData("quay.io/Org/App:V1", "use 'quay.io/org/app:V1'")]
    [InlineData("localhost:5000/My_App", "use 'localhost:5000/my_app'")]
    [InlineData("ubuntu@SHA256:" + Hex64, "use 'ubuntu@sha256:" + Hex64 + "'")]
    public void Parse_Uppercase_MessageShowsTheLowercaseName(string input, string expected)
    {
        var exception = Assert.Throws<ImageReferenceFormatException>(() => ImageReference.Parse(input));

        Assert.Equal(ImageReferenceError.NameContainsUppercase, exception.Error);
        Assert.Equal($"'{input}' contains uppercase letters: image names are lowercase, {expected}.", exception.Message);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("ubuntu ", "blank")]
    [InlineData("https://registry.example.com/app", "scheme")]
    [InlineData("ubuntu:", "empty tag")]
    [InlineData("ubuntu:-x", "invalid tag")]
    [InlineData("ubuntu@sha256:abc", "malformed digest")]
    [InlineData("ubuntu@md5:" + Hex64, "cannot verify")]
    [InlineData("ubuntu@sha256:" + Hex64 + "ff", "exactly 64")]
    [InlineData("ubuntu@sha256:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "digests are lowercase")]
    [InlineData("[::1]:5000", "registry address without a repository")]
    [InlineData("registry.example.com:5000/", "names a registry but no repository")]
    [InlineData("foo//bar", "empty path component")]
    [InlineData("foo/-bar", "misplaced separator")]
    [InlineData("foo/b$r", "'$' at position 6")]
    [InlineData("ub\u00fcntu", "non-ASCII")]
    [InlineData("my_registry.local/app", "'_' is not allowed in host names")]
    [InlineData("bad-.example.com:5000/app", "not a valid host name")]
    [InlineData("[fe80::1%eth0]:5000/app", "without a zone")]
    [InlineData(":tag", "no repository name")]
    public void Explain_Message_SaysWhatIsWrong(string input, string fragment)
    {
        var exception = Assert.Throws<ImageReferenceFormatException>(() => ImageReference.Parse(input));

        Assert.Contains(fragment, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Blank_SuggestsTheNameWithoutIt()
    {
        var exception = Assert.Throws<ImageReferenceFormatException>(() => ImageReference.Parse(" ubuntu:22.04"));

        Assert.Contains("use 'ubuntu:22.04'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => ImageReference.Parse(null!));
    }

    [Fact]
    public void TryParse_Null_ReturnsFalse()
    {
        Assert.False(ImageReference.TryParse((string?)null, out var result));
        Assert.Null(result);
    }

    [Fact]
    public void ISpanParsable_GenericCaller_ParsesAndRefuses()
    {
        Assert.Equal("docker.io/library/ubuntu:22.04", ParseGeneric<ImageReference>("ubuntu:22.04").ToString());
        Assert.True(TryParseGeneric<ImageReference>("quay.io/org/app".AsSpan(), out var parsed));
        Assert.Equal("quay.io/org/app", parsed!.FamiliarName);
        Assert.False(TryParseGeneric<ImageReference>("Bad Name".AsSpan(), out _));
        Assert.Throws<ImageReferenceFormatException>(() => ParseGeneric<ImageReference>("Bad Name"));
        Assert.False(TryParseStringGeneric<ImageReference>(null, out _));
    }

    [Fact]
    public void Equals_SameImageWrittenDifferently_AreEqual()
    {
        var familiar = ImageReference.Parse("ubuntu:22.04");
        var full = ImageReference.Parse("docker.io/library/ubuntu:22.04");
        var legacy = ImageReference.Parse("index.docker.io/library/ubuntu:22.04");

        Assert.Equal(familiar, full);
        Assert.Equal(familiar, legacy);
        Assert.True(familiar == full);
        Assert.False(familiar != full);
        Assert.Equal(familiar.GetHashCode(), full.GetHashCode());
        Assert.NotEqual(familiar, ImageReference.Parse("ubuntu:24.04"));
        Assert.NotEqual(familiar, ImageReference.Parse("ubuntu"));
        Assert.Equal(ImageReference.Parse("REGISTRY.example.com/app"), ImageReference.Parse("registry.example.com/app"));
        Assert.False(familiar.Equals(null));
        Assert.False(familiar.Equals((object)"docker.io/library/ubuntu:22.04"));
    }

    [Fact]
    public void FamiliarName_DockerHubNamespaceWithDot_ReadsBackAsRegistryAsInDocker()
    {
        var reference = ImageReference.Parse("docker.io/example.com/app");

        Assert.Equal("example.com/app", reference.FamiliarName);
        Assert.Equal("example.com", ImageReference.Parse(reference.FamiliarName).Address.ToString());
    }

    [Fact]
    public void Parse_DockerHub_ReusesTheDockerHubAddress()
    {
        Assert.Same(RegistryAddress.DockerHub, ImageReference.Parse("ubuntu").Address);
        Assert.Same(RegistryAddress.DockerHub, ImageReference.Parse("docker.io/org/app").Address);
        Assert.Same(RegistryAddress.DockerHub, ImageReference.Parse("index.docker.io/org/app").Address);
        Assert.True(ImageReference.Parse("registry-1.docker.io/library/ubuntu").Address.IsDockerHub);
        Assert.False(ImageReference.Parse("quay.io/org/app").Address.IsDockerHub);
    }

    [Fact]
    public void Parse_SameRegistryTwice_ReusesTheAddress()
    {
        var first = ImageReference.Parse("registry.example.com:5000/a").Address;
        var second = ImageReference.Parse("registry.example.com:5000/b:1").Address;

        Assert.Same(first, second);
        Assert.Same(RegistryAddress.Quay, ImageReference.Parse("quay.io/org/app").Address);
    }

    [Fact]
    public void Address_FromReference_HasHostAndPort()
    {
        var v6 = ImageReference.Parse("[2001:db8::1]:5000/repo").Address;
        var plain = ImageReference.Parse("Registry.Example.com:99999/repo").Address;
        var local = ImageReference.Parse("localhost/repo").Address;

        Assert.Equal(("2001:db8::1", 5000, true), (v6.Host, v6.Port, v6.IsIPv6));
        Assert.Equal(("Registry.Example.com", 99999, false), (plain.Host, plain.Port, plain.IsIPv6));
        Assert.Equal(("localhost", (int?)null), (local.Host, local.Port));
        Assert.Equal(RegistryAddress.Parse("[2001:db8::1]:5000"), v6);
        Assert.Equal(RegistryAddress.Parse("localhost"), local);
    }

    [Fact]
    public void WithTag_ValidTag_KeepsDigest()
    {
        var reference = ImageReference.Parse("quay.io/org/app@" + Sha256);

        var tagged = reference.WithTag("v2");

        Assert.Equal("quay.io/org/app:v2@" + Sha256, tagged.ToString());
        Assert.Equal("docker.io/library/ubuntu:TAG5", ImageReference.Parse("ubuntu:1").WithTag("TAG5").ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("-foo")]
    [InlineData(".foo")]
    [InlineData("a b")]
    [InlineData("a:b")]
    public void WithTag_InvalidTag_IsTagInvalidFormat(string tag)
    {
        var exception = Assert.Throws<ImageReferenceFormatException>(() => ImageReference.Parse("busybox").WithTag(tag));

        Assert.Equal(ImageReferenceError.TagInvalidFormat, exception.Error);
        Assert.Contains($"'{tag}'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithDigest_ValidAndInvalid()
    {
        var reference = ImageReference.Parse("busybox:1.36");

        Assert.Equal("docker.io/library/busybox:1.36@" + Sha256, reference.WithDigest(Sha256).ToString());
        Assert.Equal("docker.io/library/busybox", reference.WithoutTagAndDigest().ToString());
        Assert.Equal(ImageReferenceError.DigestInvalidFormat, Assert.Throws<ImageReferenceFormatException>(() => reference.WithDigest("foo")).Error);
        Assert.Equal(ImageReferenceError.DigestInvalidFormat, Assert.Throws<ImageReferenceFormatException>(() => reference.WithDigest("sha1:" + Hex64)).Error);
        Assert.Throws<ArgumentNullException>(() => reference.WithDigest(null!));
        Assert.Throws<ArgumentNullException>(() => reference.WithTag(null!));
    }

    [Fact]
    public void TryParse_InvalidInput_AllocatesNothing()
    {
        string[] inputs =
        [
            "", "Ubuntu", "foo/b\u00c4r", "ubuntu:-x", "ubuntu@sha1:" + Hex64, ImageId, "foo_bar.com/x", new string('a', 300),
            "[fe80::1%eth0]:5000/repo", "ubuntu:la\u212Atest", "FOO_bar.com/x", "https://registry.example.com/app",
        ];
        foreach (var input in inputs)
        {
            ImageReference.TryParse(input, out _);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            foreach (var input in inputs)
            {
                ImageReference.TryParse(input, out _);
                ImageReference.TryParse(input.AsSpan(), out _);
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData("ubuntu")]
    [InlineData("ubuntu:latest")]
    [InlineData("ubuntu:22.04")]
    [InlineData("docker.io/org/app@" + Sha256)]
    [InlineData("quay.io/org/app:1.0")]
    [InlineData("index.docker.io/org/app:1.0@" + Sha256)]
    public void TryParse_ValidInput_AllocatesOnlyTheResult(string input)
    {
        ImageReference.TryParse(input, out _);
        var reference = ImageReference.Parse(input);
        // Docker Hub and Quay are shared instances: the reference and its normalized text are all that is allocated
        // (the repository, tag and digest are slices of that text until asked for).
        var expected = ObjectSize(reference) + StringSize(reference.ToString());

        var before = GC.GetAllocatedBytesForCurrentThread();
        ImageReference.TryParse(input.AsSpan(), out _);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(expected, allocated);
    }

    [Theory]
    [InlineData("ubuntu:22.04")]
    [InlineData("registry.example.com:5000/team/app:1.0@" + Sha256)]
    public void ToString_AfterTryParse_AllocatesNothingAndPartsAreStable(string input)
    {
        Assert.True(ImageReference.TryParse(input, out var reference));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var text = reference.ToString();
        var again = reference.ToString();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Same(text, again);
        Assert.Same(reference.Repository, reference.Repository);
        Assert.Same(reference.Tag, reference.Tag);
        Assert.Same(reference.Digest, reference.Digest);
        Assert.Equal(reference.Name + ":" + reference.Tag + (reference.Digest is null ? string.Empty : "@" + reference.Digest), text);
    }

    private static long StringSize(string? s) => s is null ? 0 : Align(22 + (2 * s.Length));

    // An ImageReference: header and method table (16), the registry, the text and the three cached parts (40), three
    // offsets (12), aligned.
    private static long ObjectSize(ImageReference reference) => reference is null ? 0 : 72;

    private static long Align(long size) => (size + 7) & ~7L;

    private static string PathOfLength(int length)
    {
        var component = new string('b', 50);
        var path = string.Join('/', Enumerable.Repeat(component, (length / 51) + 1));
        return path[..(length - 1)].TrimEnd('/') + new string('c', length - path[..(length - 1)].TrimEnd('/').Length);
    }

    [Fact]
    public void TryParse_PrivateRegistry_AllocatesTheResultAndAtMostItsAddress()
    {
        const string input = "[2001:db8::1]:5000/team/app:1.0";
        ImageReference.TryParse(input, out var reference);
        var result = ObjectSize(reference!) + StringSize(reference!.ToString());

        var before = GC.GetAllocatedBytesForCurrentThread();
        ImageReference.TryParse(input, out _);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The address (an object and its text) is reused from the previous parse unless another thread parsed a
        // reference to another registry in between.
        Assert.InRange(allocated, result, result + 56 + StringSize(reference.Address.ToString()));
    }

    private static T ParseGeneric<T>(string s)
        where T : ISpanParsable<T>
        => T.Parse(s, null);

    private static bool TryParseGeneric<T>(ReadOnlySpan<char> s, out T? result)
        where T : ISpanParsable<T>
        => T.TryParse(s, null, out result);

    private static bool TryParseStringGeneric<T>(string? s, out T? result)
        where T : IParsable<T>
        => T.TryParse(s, null, out result);
}
