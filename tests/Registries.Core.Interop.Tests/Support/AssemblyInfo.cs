// The integration tests drive Linux's dockerd, skopeo and bash credential helpers, and check Unix file modes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
