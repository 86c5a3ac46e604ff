using Microsoft.Extensions.Logging;

namespace Registries.Core.HostConfiguration;

// What the package changed on the host, for the operator who reads the logs later: file paths, registry addresses and
// certificate fingerprints only (the package never handles a secret).
internal static partial class HostConfigurationLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Insecure registry {Address}: {Kind} {Path} ({Description}); restart the Docker daemon for it to take effect")]
    public static partial void InsecureRegistryFileWritten(ILogger logger, string address, FileChangeKind kind, string path, string description);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Certificates of {Address}: {Kind} {Path} ({Description})")]
    public static partial void CertificateFileWritten(ILogger logger, string address, FileChangeKind kind, string path, string description);
}
