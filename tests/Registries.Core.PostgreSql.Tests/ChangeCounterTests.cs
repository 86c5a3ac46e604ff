namespace Registries.Core.PostgreSql.Tests;

/// <summary>When the listener forgets the whole cache because of the change counter: a change nobody announced, and
/// never for one that was.</summary>
public sealed class ChangeCounterTests
{
    [Fact]
    public void Read_FirstRoundTrip_ForgetsNothing()
    {
        var counter = new ChangeCounter();

        Assert.False(counter.Read(41));
        Assert.False(counter.Read(41));
    }

    [Fact]
    public void Read_AboveWhatWasAnnounced_Forgets()
    {
        var counter = new ChangeCounter();
        counter.Read(41);

        Assert.True(counter.Read(42));
        Assert.False(counter.Read(42));
    }

    [Fact]
    public void Announced_EachNextValue_ForgetsNothingAndTheReadThatFollowsNeither()
    {
        var counter = new ChangeCounter();
        counter.Read(41);

        Assert.False(counter.Announced(42));
        Assert.False(counter.Announced(43));
        Assert.False(counter.Announced(43));
        Assert.False(counter.Read(43));
    }

    [Fact]
    public void Announced_SkippingAValue_ForgetsOnceThenFollowsOn()
    {
        var counter = new ChangeCounter();
        counter.Read(41);

        Assert.True(counter.Announced(43));
        Assert.False(counter.Announced(44));
        Assert.False(counter.Read(44));
    }

    [Fact]
    public void Read_BelowAnAnnouncementDeliveredDuringTheRoundTrip_ForgetsNothing()
    {
        // The statement read 41; a commit after its snapshot was delivered before its answer.
        var counter = new ChangeCounter();
        counter.Read(41);
        Assert.False(counter.Announced(42));

        Assert.False(counter.Read(41));
        Assert.False(counter.Read(42));
    }

    [Fact]
    public void Read_BelowThePreviousRead_Forgets()
    {
        // The row was restored from an older backup: announcements that follow must count from there.
        var counter = new ChangeCounter();
        counter.Read(41);

        Assert.True(counter.Read(7));
        Assert.False(counter.Announced(8));
        Assert.True(counter.Announced(10));
    }

    [Fact]
    public void Read_RowGone_ForgetsEveryTimeUntilItIsBack()
    {
        var counter = new ChangeCounter();
        counter.Read(41);

        Assert.True(counter.Read(null));
        Assert.True(counter.Read(null));

        // A write brings it back, and announces it: that forgets once, and the read that follows finds nothing new.
        Assert.True(counter.Announced(1));
        Assert.False(counter.Read(1));
    }

    [Fact]
    public void Read_RowBackWithoutAnnouncement_Forgets()
    {
        var counter = new ChangeCounter();
        counter.Read(41);
        counter.Read(null);

        Assert.True(counter.Read(5));
        Assert.False(counter.Read(5));
    }

    [Fact]
    public void Announced_BeforeTheFirstRoundTrip_TheFirstReadSettlesIt()
    {
        var counter = new ChangeCounter();

        Assert.False(counter.Announced(45));
        Assert.False(counter.Read(44));
        Assert.False(counter.Announced(46));
        Assert.True(counter.Read(47));
    }
}
