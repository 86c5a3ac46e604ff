// The sample runs as a Linux process here and the browser is Debian's chromium.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
