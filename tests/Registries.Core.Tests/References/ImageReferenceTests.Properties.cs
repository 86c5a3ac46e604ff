using CsCheck;
using Registries.Core;

namespace Registries.Core.Tests.References;

// Property tests: the parser never fails in an undocumented way, and what it accepts prints back to itself.
public partial class ImageReferenceTests
{
    private static readonly Gen<char> ReferenceChar = Gen.Char["abcdefz0189._-/:@[]ABFZ"];

    // Letters that trip naive parsers: non-ASCII upper and lower case, the two whose lowercase is ASCII, blanks, a
    // surrogate pair and lone surrogates.
    private static readonly Gen<char> TrickyChar = Gen.Char["\u00c4\u00e4\u212A\u0130\u00df %$\t~#\ud83d\ude00\u0000"];

    private static readonly Gen<string> AnyText = Gen.String[Gen.Frequency((6, ReferenceChar), (2, TrickyChar), (1, Gen.Char)), 0, 40];

    private static readonly Gen<string> Alphanumeric = Gen.String[Gen.Char["abcxyz0189"], 1, 6];

    private static readonly Gen<string> Separator = Gen.OneOfConst(".", "_", "__", "-", "--", "---");

    private static readonly Gen<string> Digits = Gen.String[Gen.Char["0123456789"], 1, 5];

    private static readonly Gen<string> PathComponent =
        Gen.Select(Alphanumeric, Gen.Select(Separator, Alphanumeric, (s, a) => s + a).Array[0, 3], (head, rest) => head + string.Concat(rest));

    // A first path component that Docker does not take for a registry: no '.', lowercase.
    private static readonly Gen<string> PlainComponent =
        Gen.Select(Alphanumeric, Gen.Select(Gen.OneOfConst("_", "__", "-", "--"), Alphanumeric, (s, a) => s + a).Array[0, 2], (head, rest) => head + string.Concat(rest));

    private static readonly Gen<string> DomainComponent =
        Gen.Select(Gen.String[Gen.Char["abcXYZ019"], 1, 4], Gen.String[Gen.Char["abcXYZ019-"], 0, 4], Gen.String[Gen.Char["abcXYZ019"], 1, 2], (a, b, c) => a + b + c);

    private static readonly Gen<string> Port = Digits.Select(d => ":" + d);

    private static readonly Gen<string> Domain = Gen.OneOf(
        Gen.Select(DomainComponent, DomainComponent.Array[1, 3], Port.Array[0, 1], (a, rest, port) => a + "." + string.Join('.', rest) + string.Concat(port)),
        Gen.Select(DomainComponent, Port, (a, port) => a + port),
        Port.Array[0, 1].Select(port => "localhost" + string.Concat(port)),
        Gen.Select(Gen.String[Gen.Char["0123456789abcdefABCDEF"], 1, 4].Array[2, 8], Port.Array[0, 1], (groups, port) => "[" + string.Join(':', groups) + "]" + string.Concat(port)),
        Gen.OneOfConst("docker.io", "index.docker.io", "quay.io", "registry-1.docker.io"));

    private static readonly Gen<string> Tag =
        Gen.Select(Gen.Char["abcXYZ019_"], Gen.String[Gen.Char["abcXYZ019_.-"], 0, 20], (first, rest) => first + rest);

    private static readonly Gen<string> Digest = Gen.OneOf(
        Gen.String[Gen.Char["0123456789abcdef"], 64, 64].Select(h => "sha256:" + h),
        Gen.String[Gen.Char["0123456789abcdef"], 96, 96].Select(h => "sha384:" + h),
        Gen.String[Gen.Char["0123456789abcdef"], 128, 128].Select(h => "sha512:" + h));

    // (text, expected registry, expected tag, expected digest)
    private static readonly Gen<(string Text, string Address, string? Tag, string? Digest)> ValidReference =
        Gen.Select(
            Domain.Array[0, 1],
            Gen.Select(PlainComponent, PathComponent.Array[0, 3], (first, rest) => (First: first, Others: rest)),
            Gen.Select(PathComponent, PathComponent.Array[0, 3], (first, rest) => (First: first, Others: rest)),
            Tag.Array[0, 1],
            Digest.Array[0, 1],
            (domain, plainPath, anyPath, tag, digest) =>
            {
                var hasDomain = domain.Length == 1;
                var components = hasDomain || anyPath.Others.Length == 0 ? anyPath : plainPath;
                var path = string.Join('/', [components.First, .. components.Others]);
                var text = (hasDomain ? domain[0] + "/" : string.Empty) + path
                    + (tag.Length == 1 ? ":" + tag[0] : string.Empty) + (digest.Length == 1 ? "@" + digest[0] : string.Empty);
                var registry = !hasDomain || domain[0] is "docker.io" or "index.docker.io" ? "docker.io" : domain[0];
                return (text, registry, tag.Length == 1 ? tag[0] : null, digest.Length == 1 ? digest[0] : null);
            });

    // Small edits of valid references: the inputs most likely to sit right on a rule's edge.
    private static readonly Gen<string> MutatedReference =
        Gen.Select(ValidReference, Gen.Int[0, 4], Gen.Int[0, 1000], Gen.Frequency((6, ReferenceChar), (2, TrickyChar), (1, Gen.Char)), (valid, kind, position, c) =>
        {
            var text = valid.Text;
            var at = position % (text.Length + 1);
            return kind switch
            {
                0 => text.Insert(at, c.ToString()),
                1 when at < text.Length => text.Remove(at, 1),
                2 when at < text.Length => text[..at] + c + text[(at + 1)..],
                3 when at < text.Length => text[..at] + char.ToUpperInvariant(text[at]) + text[(at + 1)..],
                4 => text[..at],
                _ => text + c,
            };
        });

    [Fact]
    public void TryParse_AnyText_NeverThrowsAndAgreesWithParse()
    {
        Gen.OneOf(AnyText, MutatedReference).Sample(CheckParseContract, iter: 40_000);
    }

    [Fact]
    public void Parse_GeneratedValidReference_ParsesWithItsParts()
    {
        ValidReference.Sample(valid =>
        {
            Assert.True(ImageReference.TryParse(valid.Text, out var reference), valid.Text);
            Assert.Equal(valid.Address, reference.Address.ToString());
            Assert.Equal(valid.Tag, reference.Tag);
            Assert.Equal(valid.Digest, reference.Digest);
            Assert.Equal(reference, ImageReference.Parse(reference.ToString()));
            var familiar = reference.FamiliarName;
            var firstComponent = familiar.Split('/')[0];
            if (familiar.Contains('/', StringComparison.Ordinal) && firstComponent.Contains('.', StringComparison.Ordinal) && reference.Address.ToString() == "docker.io")
            {
                // As in Docker: "docker.io/a.b/app" prints as "a.b/app", which reads back as registry "a.b".
                return;
            }

            Assert.Equal(reference, ImageReference.Parse(familiar + (reference.Tag is null ? string.Empty : ":" + reference.Tag) + (reference.Digest is null ? string.Empty : "@" + reference.Digest)));
        }, iter: 20_000);
    }

    private static void CheckParseContract(string text)
    {
        var accepted = ImageReference.TryParse(text, out var reference);
        Assert.Equal(accepted, ImageReference.TryParse(text.AsSpan(), out _));
        try
        {
            var parsed = ImageReference.Parse(text);
            Assert.True(accepted, text);
            Assert.Equal(reference, parsed);
        }
        catch (ImageReferenceFormatException exception)
        {
            Assert.False(accepted, text);
            Assert.False(string.IsNullOrWhiteSpace(exception.Message));
            Assert.True(Enum.IsDefined(exception.Error));
        }

        if (reference is not null)
        {
            var printed = reference.ToString();
            var again = ImageReference.Parse(printed);
            Assert.Equal(reference, again);
            Assert.Equal(printed, again.ToString());
            Assert.Equal(reference.GetHashCode(), again.GetHashCode());
            Assert.True(reference.Repository.Length <= 255);
            Assert.DoesNotContain(printed, c => c > 0x7f || char.IsWhiteSpace(c));
        }
    }
}
