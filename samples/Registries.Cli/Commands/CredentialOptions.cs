using System.CommandLine;
using System.Globalization;
using Registries.Core;

namespace Registries.Cli.Commands;

// The credential of `registry add` and `registry edit`: exactly one kind, each with the options it takes.
//   --username U --password-stdin [--expires DATE]   stored (as ever), optionally with its own expiry
//   --credential-helper NAME                         docker-credential-NAME, one the operator allowed
//   --kubelet-plugin NAME                            a provider of the operator's CredentialProviderConfig
//   --username U --identity-token-stdin              an OAuth2 refresh token, read from stdin
// A mix is a usage error (exit 2) that says which options go together; nothing is read from stdin before the choice is
// known to be whole.
internal sealed class CredentialOptions
{
    private CredentialOptions(string verb)
    {
        Email = new Option<string>("--email") { Description = verb == "add" ? "The e-mail address of the account." : "The new e-mail address.", HelpName = "EMAIL", Required = true };
        Username = new Option<string?>("--username")
        {
            Description = "The username of the account: with --password-stdin or --identity-token-stdin (a helper or plugin tells its own).",
            HelpName = "USER",
        };
        PasswordStdin = new Option<bool>("--password-stdin")
        {
            Description = "A stored credential: read the password from stdin (never from an argument). One trailing newline is removed. Needs --username.",
        };
        Expires = new Option<string?>("--expires")
        {
            Description = "With --password-stdin: when the credential stops working (a robot account's or deploy token's expiry), as ISO 8601: "
                + "a date (2027-01-31, midnight UTC at its start) or a date and time with Z or an offset (2027-01-31T18:00:00+01:00). "
                + "From then on the entry answers denied, with the date. Must be in the future.",
            HelpName = "DATE",
        };
        CredentialHelper = new Option<string?>("--credential-helper")
        {
            Description = "Fetch the credential at each resolution from the Docker credential helper docker-credential-NAME "
                + "(ecr-login, gcr, pass...), one the operator allowed (--credential-helpers or $" + GlobalOptions.CredentialHelpersVariable + ").",
            HelpName = "NAME",
        };
        KubeletPlugin = new Option<string?>("--kubelet-plugin")
        {
            Description = "Fetch the credential at each resolution from the kubelet credential provider plugin NAME of the operator's "
                + "CredentialProviderConfig (--kubelet-plugin-config or $" + GlobalOptions.KubeletPluginConfigVariable + ").",
            HelpName = "NAME",
        };
        IdentityTokenStdin = new Option<bool>("--identity-token-stdin")
        {
            Description = "An identity token: read an OAuth2 refresh token (docker's identitytoken) from stdin, as --password-stdin reads a password; "
                + "it is exchanged at the registry's token service for short-lived access tokens. Needs --username.",
        };
    }

    public Option<string> Email { get; }

    public Option<string?> Username { get; }

    public Option<bool> PasswordStdin { get; }

    public Option<string?> Expires { get; }

    public Option<string?> CredentialHelper { get; }

    public Option<string?> KubeletPlugin { get; }

    public Option<bool> IdentityTokenStdin { get; }

    public const string Choices = "--username USER --password-stdin [--expires DATE], --credential-helper NAME, --kubelet-plugin NAME, or --username USER --identity-token-stdin";

    public static CredentialOptions AddTo(Command command, string verb)
    {
        var options = new CredentialOptions(verb);
        command.Options.Add(options.Email);
        command.Options.Add(options.Username);
        command.Options.Add(options.PasswordStdin);
        command.Options.Add(options.Expires);
        command.Options.Add(options.CredentialHelper);
        command.Options.Add(options.KubeletPlugin);
        command.Options.Add(options.IdentityTokenStdin);
        command.Validators.Add(result =>
        {
            var password = result.GetResult(options.PasswordStdin) is not null;
            var token = result.GetResult(options.IdentityTokenStdin) is not null;
            var helper = result.GetResult(options.CredentialHelper) is not null;
            var plugin = result.GetResult(options.KubeletPlugin) is not null;
            var username = result.GetResult(options.Username) is not null;
            var kinds = (password ? 1 : 0) + (token ? 1 : 0) + (helper ? 1 : 0) + (plugin ? 1 : 0);
            if (kinds == 0)
            {
                result.AddError($"Give the credential: {Choices}. The password or token is piped to stdin, for example 'printf %s \"$PASSWORD\" | registries registry {command.Name} ... --username USER --password-stdin'.");
                return;
            }

            if (kinds > 1)
            {
                result.AddError($"Give exactly one credential: {Choices}.");
                return;
            }

            if ((password || token) && !username)
            {
                result.AddError($"{(password ? "--password-stdin" : "--identity-token-stdin")} needs --username USER: the account the {(password ? "password" : "token")} belongs to.");
            }

            if ((helper || plugin) && username)
            {
                result.AddError($"{(helper ? "--credential-helper" : "--kubelet-plugin")} tells its own username at each fetch: leave out --username.");
            }

            if (result.GetResult(options.Expires) is not null && !password)
            {
                result.AddError("--expires is a stored credential's own expiry: give it with --username USER --password-stdin (a helper, plugin or token tells its own).");
            }
        });
        return options;
    }

    // The credential the options describe; the secret, if any, is read from stdin here, after every other check.
    public RegistryCredential Read(ParseResult parse, CliConsole console, TimeProvider clock)
    {
        var email = parse.GetRequiredValue(Email);
        if (parse.GetValue(CredentialHelper) is { } helper)
        {
            return Checked(() => RegistryCredential.FromCredentialHelper(email, helper), "--credential-helper");
        }

        if (parse.GetValue(KubeletPlugin) is { } plugin)
        {
            return Checked(() => RegistryCredential.FromKubeletPlugin(email, plugin), "--kubelet-plugin");
        }

        var username = parse.GetValue(Username)!;
        if (parse.GetValue(IdentityTokenStdin))
        {
            // Checked before stdin is read: a malformed e-mail address or username is said without reading a secret.
            _ = new RegistryCredential(email, username, "-");
            return RegistryCredential.FromIdentityToken(email, username, new RegistrySecret(PasswordInput.Read(console, "--identity-token-stdin", "identity token", "TOKEN")));
        }

        var expiresAt = parse.GetValue(Expires) is { } text ? ParseExpiry(text, clock.GetUtcNow()) : (DateTimeOffset?)null;
        return new RegistryCredential(email, username, new RegistrySecret(PasswordInput.Read(console)), expiresAt);
    }

    // ISO 8601: a date (its first instant, UTC) or a date and time with Z or an offset. A time without an offset is
    // refused: whose midnight would it be? A date already past is refused: the entry would be denied from the start.
    internal static DateTimeOffset ParseExpiry(string text, DateTimeOffset now)
    {
        DateTimeOffset at;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            at = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }
        else if (text.Length > 10 && text[10] == 'T' && HasOffset(text)
            && DateTimeOffset.TryParseExact(text, ExpiryFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            at = parsed;
        }
        else
        {
            throw new ArgumentException($"--expires: '{Cut(text)}' is not an ISO 8601 date: give a date (2027-01-31) or a date and time with Z or an offset (2027-01-31T18:00:00Z, 2027-01-31T18:00:00+01:00).");
        }

        if (at <= now)
        {
            throw new ArgumentException($"--expires: {at.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture)} is already past: give the date the credential stops working, in the future (or leave out --expires).");
        }

        return at;
    }

    private static readonly string[] ExpiryFormats =
    [
        "yyyy-MM-dd'T'HH:mm'Z'", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
        "yyyy-MM-dd'T'HH:mmzzz", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
    ];

    private static bool HasOffset(string text)
    {
        var time = text.AsSpan(11);
        return time.EndsWith("Z") || time.Contains('+') || time.Contains('-');
    }

    private static RegistryCredential Checked(Func<RegistryCredential> create, string option)
    {
        try
        {
            return create();
        }
        catch (ArgumentException ex) when (ex.ParamName is "helperName" or "pluginName" or "name")
        {
            throw new ArgumentException($"{option}: {ex.Message.Split(" (Parameter", 2)[0]}", ex);
        }
    }

    private static string Cut(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "…");
}
