// Docker host configuration is about Linux hosts: the tests use Unix file modes, dockerd, skopeo and curl.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
