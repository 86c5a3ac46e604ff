// The CLI tests run the program on Linux (pseudo-terminals, FIFOs, dockerd) and check Unix file modes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
