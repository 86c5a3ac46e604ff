using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Registries.Core.Interop;

/// <summary>The parts of a Docker <c>config.json</c> that hold credentials: <c>auths</c>, <c>credsStore</c>, <c>credHelpers</c>.</summary>
internal sealed class DockerConfigDocument
{
    private DockerConfigDocument(IReadOnlyList<AuthsEntry> auths, string? credsStore, IReadOnlyList<(string Key, string Helper)> credHelpers)
    {
        Auths = auths;
        CredsStore = credsStore;
        CredHelpers = credHelpers;
    }

    public IReadOnlyList<AuthsEntry> Auths { get; }

    public string? CredsStore { get; }

    public IReadOnlyList<(string Key, string Helper)> CredHelpers { get; }

    /// <summary>Parses a config; errors name the place, never the content (which holds secrets).</summary>
    public static DockerConfigDocument Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException ex)
        {
            var line = ((ex.LineNumber ?? 0) + 1).ToString(CultureInfo.InvariantCulture);
            throw new DockerConfigFormatException($"The Docker config is not valid JSON (near line {line}): give the content of a config.json that docker login wrote.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new DockerConfigFormatException("The Docker config must be a JSON object such as {\"auths\": {...}}.");
            }

            var auths = new List<AuthsEntry>();
            if (root.TryGetProperty("auths", out var authsElement) && authsElement.ValueKind != JsonValueKind.Null)
            {
                if (authsElement.ValueKind != JsonValueKind.Object)
                {
                    throw new DockerConfigFormatException("The Docker config's \"auths\" must be an object keyed by registry.");
                }

                foreach (var property in authsElement.EnumerateObject())
                {
                    auths.Add(AuthsEntry.Read(property.Name, property.Value));
                }
            }

            string? credsStore = null;
            if (root.TryGetProperty("credsStore", out var storeElement) && storeElement.ValueKind != JsonValueKind.Null)
            {
                if (storeElement.ValueKind != JsonValueKind.String)
                {
                    throw new DockerConfigFormatException("The Docker config's \"credsStore\" must be a string naming a docker-credential helper.");
                }

                credsStore = storeElement.GetString() is { Length: > 0 } name ? name : null;
            }

            var helpers = new List<(string, string)>();
            if (root.TryGetProperty("credHelpers", out var helpersElement) && helpersElement.ValueKind != JsonValueKind.Null)
            {
                if (helpersElement.ValueKind != JsonValueKind.Object)
                {
                    throw new DockerConfigFormatException("The Docker config's \"credHelpers\" must be an object mapping registries to helper names.");
                }

                foreach (var property in helpersElement.EnumerateObject())
                {
                    if (property.Value.ValueKind != JsonValueKind.String || property.Value.GetString() is not { Length: > 0 } helper)
                    {
                        throw new DockerConfigFormatException($"The Docker config's \"credHelpers\" entry '{property.Name}' must name a helper, for example \"ecr-login\".");
                    }

                    helpers.Add((property.Name, helper));
                }
            }

            return new DockerConfigDocument(auths, credsStore, helpers);
        }
    }

    /// <summary>One <c>auths</c> entry.</summary>
    internal sealed class AuthsEntry
    {
        internal const string IdentityTokenUnsupported = "the entry holds an identity token, not a password; identity tokens are not supported: log in with a username and password.";

        private AuthsEntry(string key, string? username, RegistrySecret? password, string? email, bool hasIdentityToken, string? failure)
        {
            Key = key;
            Username = username;
            Password = password;
            Email = email;
            HasIdentityToken = hasIdentityToken;
            Failure = failure;
        }

        public string Key { get; }

        public string? Username { get; }

        public RegistrySecret? Password { get; }

        public string? Email { get; }

        public bool HasIdentityToken { get; }

        public bool HasCredential => Username is not null && Password is not null;

        public string? Failure { get; }

        public static AuthsEntry Read(string key, JsonElement value)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                return new AuthsEntry(key, null, null, null, false, "the entry is not a JSON object.");
            }

            var email = StringOf(value, "email");
            var hasIdentityToken = !string.IsNullOrEmpty(StringOf(value, "identitytoken"));
            if (StringOf(value, "auth") is { Length: > 0 } auth)
            {
                // As the docker CLI does: the auth field wins over separate username and password fields.
                byte[] bytes;
                try
                {
                    bytes = Convert.FromBase64String(auth);
                }
                catch (FormatException)
                {
                    return new AuthsEntry(key, null, null, email, hasIdentityToken, "the \"auth\" field is not valid base64.");
                }

                string decoded;
                try
                {
                    decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
                }
                catch (DecoderFallbackException)
                {
                    return new AuthsEntry(key, null, null, email, hasIdentityToken, "the \"auth\" field is not UTF-8 text.");
                }

                // Split at the first colon: a username has none, a password may have many.
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                var password = colon < 0 ? string.Empty : decoded[(colon + 1)..].Trim('\0');
                if (colon <= 0 || password.Length == 0)
                {
                    return new AuthsEntry(key, null, null, email, hasIdentityToken, hasIdentityToken ? IdentityTokenUnsupported : "the \"auth\" field does not hold base64 of 'username:password'.");
                }

                return new AuthsEntry(key, decoded[..colon], new RegistrySecret(password), email, hasIdentityToken, null);
            }

            var user = StringOf(value, "username");
            var secret = StringOf(value, "password");
            if (!string.IsNullOrEmpty(user) && !string.IsNullOrEmpty(secret))
            {
                return new AuthsEntry(key, user, new RegistrySecret(secret), email, hasIdentityToken, null);
            }

            if (!string.IsNullOrEmpty(user) || !string.IsNullOrEmpty(secret))
            {
                return new AuthsEntry(key, null, null, email, hasIdentityToken, hasIdentityToken ? IdentityTokenUnsupported : "the entry has a username or a password but not both.");
            }

            return new AuthsEntry(key, null, null, email, hasIdentityToken, null);
        }

        public override string ToString() => $"{Key} ('{Username}', password hidden)";

        private static string? StringOf(JsonElement element, string name)
            => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
