namespace Registries.Core.Tests.Domain;

public sealed class RegistryCallerTests
{
    [Fact]
    public void Equals_SameName_IsEqualWithTheSameHashCode()
    {
        var a = new RegistryCaller("alice");
        var b = new RegistryCaller("alice");

        Assert.True(a.Equals(b));
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Single(new HashSet<RegistryCaller> { a, b });
    }

    [Theory]
    [InlineData("Alice")]
    [InlineData("alice ")]
    [InlineData("bob")]
    public void Equals_OtherName_IsNotEqualBecauseNamesCompareOrdinally(string other)
    {
        var alice = new RegistryCaller("alice");

        Assert.False(alice.Equals(new RegistryCaller(other)));
    }

    [Fact]
    public void Equals_NullOrAnotherType_IsFalse()
    {
        var alice = new RegistryCaller("alice");

        Assert.False(alice.Equals(null));
        Assert.False(alice.Equals((object?)null));
        Assert.False(alice.Equals((object)"alice"));
    }

    [Fact]
    public void ToString_IsTheName()
    {
        Assert.Equal("alice@example.com", new RegistryCaller("alice@example.com").ToString());
        Assert.Equal("alice@example.com", new RegistryCaller("alice@example.com").Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t\n")]
    public void Constructor_BlankName_ThrowsArgumentException(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => new RegistryCaller(name));

        Assert.Equal("name", error.ParamName);
    }

    [Fact]
    public void Constructor_Null_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => new RegistryCaller(null!));
    }
}
