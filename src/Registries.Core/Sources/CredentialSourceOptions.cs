namespace Registries.Core.Sources;

/// <summary>How long fetched credentials are cached and when they are renewed (see <see cref="CredentialSources"/>).</summary>
/// <remarks>Checked when a <see cref="CredentialSources"/> is built (and at start under dependency injection); a broken
/// rule is refused with a message that says which option and how to fix it.</remarks>
public sealed class CredentialSourceOptions
{
    /// <summary>Gets or sets the longest a fetched credential is kept, whatever expiry its source gives (and the whole life
    /// of one whose source gives none). Default 12 hours; from 1 second to 7 days.</summary>
    public TimeSpan MaximumCacheDuration { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Gets or sets the share of a credential's life left at which it is renewed ahead of its expiry. Default 0.1
    /// (renew when a tenth of its life is left); from 0 to 0.5.</summary>
    public double RenewAheadFraction { get; set; } = 0.1;

    /// <summary>Gets or sets the least time left at which a credential is renewed, when that is more than
    /// <see cref="RenewAheadFraction"/> of its life. Default 5 minutes; from 0 to 1 hour. The renewal never starts
    /// before half the credential's life has passed.</summary>
    public TimeSpan RenewAheadMinimum { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets how long one fetch may take before its resolutions answer Unavailable. Default 30 seconds;
    /// from 100 milliseconds to 10 minutes.</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how many fetched credentials are kept at most; past it the ones that expire first are dropped.
    /// Default 10 000; from 1 to 1 000 000.</summary>
    public int MaximumCachedValues { get; set; } = 10_000;

    // The one list of rules: the DI package's validator and the constructor report these messages.
    internal List<string> Problems()
    {
        var failures = new List<string>();
        if (MaximumCacheDuration < TimeSpan.FromSeconds(1) || MaximumCacheDuration > TimeSpan.FromDays(7))
        {
            failures.Add($"CredentialSourceOptions.MaximumCacheDuration is {MaximumCacheDuration}: give from 1 second to 7 days (12 hours is the default).");
        }

        if (double.IsNaN(RenewAheadFraction) || RenewAheadFraction is < 0 or > 0.5)
        {
            failures.Add($"CredentialSourceOptions.RenewAheadFraction is {RenewAheadFraction}: give a share of a credential's life from 0 to 0.5 (0.1 is the default).");
        }

        if (RenewAheadMinimum < TimeSpan.Zero || RenewAheadMinimum > TimeSpan.FromHours(1))
        {
            failures.Add($"CredentialSourceOptions.RenewAheadMinimum is {RenewAheadMinimum}: give from 0 to 1 hour (5 minutes is the default).");
        }

        if (FetchTimeout < TimeSpan.FromMilliseconds(100) || FetchTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"CredentialSourceOptions.FetchTimeout is {FetchTimeout}: give from 100 milliseconds to 10 minutes (30 seconds is the default).");
        }

        if (MaximumCachedValues is < 1 or > 1_000_000)
        {
            failures.Add($"CredentialSourceOptions.MaximumCachedValues is {MaximumCachedValues}: give from 1 to 1000000 (10000 is the default).");
        }

        return failures;
    }

    internal void ThrowIfInvalid()
    {
        if (Problems() is { Count: > 0 } failures)
        {
            throw new ArgumentException(string.Join(" ", failures), "options");
        }
    }

    // When a credential that lives from 'fetchedAt' to 'expiresAt' is renewed: when less than the larger of the fraction
    // of its life and the minimum is left, but never before half its life has passed (a short-lived token would be
    // renewed on every resolution otherwise).
    internal DateTimeOffset RenewAt(DateTimeOffset fetchedAt, DateTimeOffset expiresAt)
    {
        var life = expiresAt - fetchedAt;
        if (life <= TimeSpan.Zero)
        {
            return expiresAt;
        }

        var margin = TimeSpan.FromTicks(Math.Max((long)(life.Ticks * RenewAheadFraction), RenewAheadMinimum.Ticks));
        var half = TimeSpan.FromTicks(life.Ticks / 2);
        return expiresAt - (margin > half ? half : margin);
    }
}
