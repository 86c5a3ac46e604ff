using Microsoft.Extensions.Logging.Testing;

namespace Registries.Core.DependencyInjection.Tests;

/// <summary>Leak checks over what a <see cref="FakeLogCollector"/> kept.</summary>
internal static class LogAssert
{
    /// <summary>Fails when <paramref name="secret"/> is in any record: its message, any structured value, or its exception.</summary>
    public static void NoRecordContains(IEnumerable<FakeLogRecord> records, string secret)
    {
        foreach (var record in records)
        {
            Assert.DoesNotContain(secret, record.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, record.Exception?.ToString() ?? string.Empty, StringComparison.Ordinal);
            foreach (var (key, value) in record.StructuredState ?? [])
            {
                Assert.DoesNotContain(secret, key + "=" + value, StringComparison.Ordinal);
            }
        }
    }
}
