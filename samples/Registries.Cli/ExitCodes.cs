namespace Registries.Cli;

// The exit codes of DESIGN.md section 4; scripts branch on them, so they never change.
internal static class ExitCodes
{
    public const int Success = 0;

    // Bad usage or bad input: parse errors, malformed addresses and images, unknown ids.
    public const int BadInput = 2;

    // Refused by the rules: denied, not permitted, wrong state, unsupported orchestration.
    public const int Refused = 3;

    // An outside failure: Docker, network, file system, store.
    public const int Failure = 4;
}
