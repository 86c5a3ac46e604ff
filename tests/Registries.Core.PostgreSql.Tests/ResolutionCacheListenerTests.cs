namespace Registries.Core.PostgreSql.Tests;

/// <summary>The listening connection's timing rules, without a server.</summary>
public sealed class ResolutionCacheListenerTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(5_000, 1)]
    [InlineData(10_000, 1)]
    [InlineData(10_001, 2)]
    [InlineData(10_000_000, 1_000)]
    public void WaitMilliseconds_AnyDueTime_AtLeastOneWholeMillisecond(long ticks, int expected)
    {
        // Npgsql reads a 0 ms timeout as "wait for the next notification, however long".
        Assert.Equal(expected, ResolutionCacheListener.WaitMilliseconds(TimeSpan.FromTicks(ticks)));
    }

    [Fact]
    public void WaitMilliseconds_BeyondInt32_Clamped()
        => Assert.Equal(int.MaxValue, ResolutionCacheListener.WaitMilliseconds(TimeSpan.FromDays(365)));

    [Theory]
    [InlineData(1_000, 1)]
    [InlineData(1_500, 2)]
    [InlineData(5_000, 5)]
    [InlineData(300_000, 300)]
    public void RoundTripTimeoutSeconds_TheBoundRoundedUp(int milliseconds, int expected)
        => Assert.Equal(expected, ResolutionCacheListener.RoundTripTimeoutSeconds(TimeSpan.FromMilliseconds(milliseconds)));
}
