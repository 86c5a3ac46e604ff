using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Registries.Core.Interop;

namespace Registries.Core.AspNetCore;

// The endpoints, one handler each, mirroring the CLI's commands (DESIGN.md section 4): the rules are the library's,
// the handlers only translate JSON to calls and answers back. Ids in routes are the environments' and entries' ids.
// The framework binds every argument (route values already decoded by the group's guard, the query, If-Match, a body
// through its request type's strict BindAsync); a handler returns its typed result, from which the OpenAPI document
// takes the success response; an error is thrown and answered by RegistriesExceptionHandler (the problem responses
// are declared with WithProblems: application/problem+json, which the typed results cannot say).
internal static partial class RegistriesEndpoints
{
    private const string Environment = "/environments/{environmentId}";
    private const string Entry = Environment + "/registries/{registryId}";

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/environments", ListEnvironmentsAsync)
            .WithName("ListEnvironments").WithSummary("Lists the environments the caller is a member of.")
            .WithProblems(401, 503);
        group.MapPost("/environments", CreateEnvironmentAsync)
            .WithName("CreateEnvironment").WithSummary("Creates an environment; the caller becomes its Owner.")
            .AcceptsJson<CreateEnvironmentRequest>()
            .WithProblems(400, 401, 403, 409, 413, 415, 503);
        group.MapGet(Environment, GetEnvironmentAsync)
            .WithName("GetEnvironment").WithSummary("Shows an environment and its members.")
            .WithProblems(401, 404, 503);
        group.MapPut(Environment + "/members/{user}", SetMemberAsync)
            .WithName("SetMember").WithSummary("Adds a member or changes a member's role (Owners only).")
            .AcceptsJson<SetMemberRequest>()
            .WithProblems(400, 401, 403, 404, 409, 413, 415, 503);
        group.MapDelete(Environment + "/members/{user}", RemoveMemberAsync)
            .WithName("RemoveMember").WithSummary("Removes a member (Owners only); the last Owner cannot be removed.")
            .WithDescription("A user who is not a member is 404 with code 'member-not-found' (the caller, an Owner, may see the members anyway). The removed user loses access at once.")
            .WithProblems(400, 401, 403, 404, 409, 415, 503);

        group.MapGet(Environment + "/registries", ListRegistriesAsync)
            .WithName("ListRegistries").WithSummary("Lists an environment's registry entries, oldest first, marking the effective and overridden ones.")
            .WithProblems(401, 404, 409, 503);
        group.MapPost(Environment + "/registries", AddRegistryAsync)
            .WithName("AddRegistry")
            .WithSummary("Adds a registry credential (kind dockerHub, quay or custom); it becomes the effective one for its scope.")
            .WithDescription(SourceDescription + " A custom registry needs its address: a host name or IP address with an optional port, e.g. 'registry.example.com:5000' or '10.0.0.5:5000', without 'https://' and without a path, or a host pattern such as '*.corp.example' ('*' is one DNS label). The optional 'path' narrows the entry to a repository path prefix ('team' or 'team/sub', matched on '/' boundaries). A bad address or pattern is 400 'invalid-address', a bad path 400 'invalid-path'. The password and the identity token are write-only: no response returns them.")
            .AcceptsJson<AddRegistryRequest>()
            .WithProblems(400, 401, 403, 404, 409, 413, 415, 503);
        group.MapGet(Entry, GetRegistryAsync)
            .WithName("GetRegistry").WithSummary("Shows one registry entry (never its password); its version is the ETag.")
            .WithProblems(401, 404, 409, 503);
        group.MapPut(Entry, EditRegistryAsync)
            .WithName("EditRegistry").WithSummary("Changes an entry's credential (e-mail and one source with its fields); a password or token is always required again and the address never changes.")
            .WithDescription(SourceDescription + " An edit may change the source; a value the old one gave is dropped at once.")
            .AcceptsJson<EditRegistryRequest>()
            .WithProblems(400, 401, 403, 404, 409, 413, 415, 503);
        group.MapPost(Entry + "/deactivate", DeactivateRegistryAsync)
            .WithName("DeactivateRegistry").WithSummary("Deactivates an active entry: while it is effective, pulls from its address are denied.")
            .WithProblems(400, 401, 403, 404, 409, 415, 503);
        group.MapPost(Entry + "/activate", ActivateRegistryAsync)
            .WithName("ActivateRegistry").WithSummary("Activates an inactive entry again, without the password.")
            .WithProblems(400, 401, 403, 404, 409, 415, 503);
        group.MapPost(Entry + "/refresh", RefreshRegistryAsync)
            .WithName("RefreshRegistry").WithSummary("Drops the value an entry's source (credential helper, kubelet plugin, identity token) gave, so that the next resolution asks it again (Owners and Members).")
            .WithDescription("For when a secret changed at its source. The answer is the entry as it is; the source is asked at the next resolution (GET .../resolve asks it at once). A stored credential has nothing cached: the call changes nothing.")
            .WithProblems(400, 401, 403, 404, 409, 415, 503);
        group.MapDelete(Entry, DeleteRegistryAsync)
            .WithName("DeleteRegistry").WithSummary("Deletes an inactive entry and erases its secret (an active one must be deactivated first).")
            .WithProblems(400, 401, 403, 404, 409, 415, 503);

        group.MapGet(Environment + "/resolve", ResolveAsync)
            .WithName("Resolve").WithSummary("Says which credential an image is pulled with: authenticated, anonymous, denied or unavailable (Owners and Members).")
            .WithDescription("Every outcome is 200 with the answer in 'outcome', as a denied one always was: 'unavailable' means the deciding entry's source (a credential helper, kubelet plugin or identity token) cannot give a credential now, and 'reason' says what it answered; it is never an anonymous pull and never another entry's credential. 'source' names the deciding entry's source (null when anonymous) and 'expiresAt' when the credential handed out stops working (null when unknown or not authenticated). A source is asked now, or its cached value used while it lasts; no response holds a password or token. "
                + "The environment's policy is decided first, on the image asked for: 'policy' holds 'allowed' and the deciding rule's 'effect', 'scope' and 'digestOnly' (absent when no rule covers the image), and a policy denial is 'denied' with no credential looked at. 'mirrors' lists the mirrors the image would be pulled through, in order, each with its 'address', the image's name there ('image') and the 'outcome' of the credential resolved there, and 'fallsBackToUpstream' says whether the upstream itself comes last; both are absent when the registry has no mirror or the image is denied.")
            .WithProblems(400, 401, 403, 404, 409, 503);

        // Its own operation rather than resolve?explain=true: another document, another permission (any member), and
        // one response schema per operation in the OpenAPI document.
        group.MapGet(Environment + "/explain", ExplainAsync)
            .WithName("Explain").WithSummary("Explains how an image resolves: the deciding scope and entry, and every candidate entry with its verdict (any member, ReadOnly included; no password).")
            .WithDescription("Verdicts: effective, overridden, less-specific, removed, path-did-not-match, pattern-did-not-match (the CLI's 'resolve --explain' names).")
            .WithProblems(400, 401, 404, 409, 503);
        group.MapGet(Environment + "/exports/docker-config", ExportDockerConfigAsync)
            .WithName("ExportDockerConfig").WithSummary("The effective credentials as a Docker config.json (Owners and Members; holds passwords, sent with Cache-Control: no-store).")
            .WithDescription("A Docker config.json keys credentials by registry host only: path-scoped and host-pattern entries are left out, each with a note in the " + ExportNotesHeader + " header. " + StrictDescription)
            .WithProblems(400, 401, 403, 404, 409, 503);
        group.MapGet(Environment + "/exports/kubernetes-secret", ExportKubernetesSecretAsync)
            .WithName("ExportKubernetesSecret").WithSummary("The effective credentials as a Kubernetes Secret of type kubernetes.io/dockerconfigjson (Owners and Members; sent with Cache-Control: no-store).")
            .WithDescription("The Secret's .dockerconfigjson holds path-scoped entries as host/path/ keys and host patterns as they are; what it cannot express (an inactive scoped entry whose denial a wider key would undo) gets a note in the " + ExportNotesHeader + " header. " + StrictDescription)
            .WithProblems(400, 401, 403, 404, 409, 503);

        MapPolicyAndMirrors(group);
    }

    private const string SourceDescription =
        "The credential comes from 'source': 'stored' (the default: 'username' and 'password', optionally 'expiresAt', an ISO 8601 date or date-time "
        + "with Z or an offset, in the future, after which the entry answers denied), 'credential-helper' ('sourceName': a Docker credential helper "
        + "the operator allowed, e.g. 'ecr-login'), 'kubelet-plugin' ('sourceName': a plugin of the operator's CredentialProviderConfig) or "
        + "'identity-token' ('username' and 'identityToken', an OAuth2 refresh token exchanged at the registry's token service). A field the chosen "
        + "source does not take is refused: 400 invalid-input whose 'field' names it.";

    private const string IfMatchHeader = "If-Match";

    /// <summary>The response header that lists what an export left out or cannot express as it is.</summary>
    public const string ExportNotesHeader = "Registries-Export-Notes";

    // A proxy in front of the API may refuse a response whose headers do not fit its buffer (nginx: 4 or 8 KiB in all).
    private const int MaxExportNotesLength = 2048;

    private const string StrictDescription =
        "The header's value is a JSON array of one-line sentences (ASCII, other characters escaped as \\uXXXX; at most "
        + "2 KiB, the last sentence then saying how many were left out), absent when there is nothing to note. "
        + "With strict=true (as the CLI's docker-config --strict) an export the format cannot hold whole is refused "
        + "instead: 409 export-refused, whose 'scopes' extension lists each entry it cannot hold, and nothing is exported.";

    // On the handlers as an attribute: the API explorer takes a response's description from there, not from metadata
    // added with WithMetadata.
    private const string ExportResponseDescription =
        "The document. What it leaves out or cannot express is listed in the " + ExportNotesHeader + " header (a JSON array of sentences, absent when there is nothing to note).";

    // The body is described as JSON, yet declared for every media type: routing refuses a body whose type an endpoint
    // does not declare with an empty 415 before any filter runs, and every error must be a ProblemDetails. The handler
    // itself refuses anything but JSON (415 with a ProblemDetails, see JsonBody).
    private static RouteHandlerBuilder AcceptsJson<TRequest>(this RouteHandlerBuilder builder)
        where TRequest : notnull
        => builder.Accepts<TRequest>("application/json", "*/*");

    private static RouteHandlerBuilder WithProblems(this RouteHandlerBuilder builder, params int[] statusCodes)
    {
        foreach (var statusCode in statusCodes)
        {
            builder.ProducesProblem(statusCode);
        }

        return builder;
    }

    private static async Task<Ok<EnvironmentDocument[]>> ListEnvironmentsAsync(RegistryService service, CancellationToken cancellationToken)
    {
        var environments = await service.ListEnvironmentsAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(environments.Select(EnvironmentDocument.From).ToArray());
    }

    private static async Task<Created<EnvironmentDocument>> CreateEnvironmentAsync(CreateEnvironmentRequest body, HttpRequest request, RegistryService service, CancellationToken cancellationToken)
    {
        var name = JsonBody.Required(body.Name, "name");
        var orchestration = body.Orchestration is null
            ? OrchestrationKind.Cattle
            : ApiNames.Parse<OrchestrationKind>(body.Orchestration, "orchestration", "cattle, kubernetes, swarm or mesos");
        RegistryEnvironment environment;
        try
        {
            environment = await service.CreateEnvironmentAsync(name, orchestration, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex) when (ex.ParamName == "name")
        {
            // The library's rule for a name (no control or invisible formatting character): the client's input.
            throw ApiProblems.InvalidInput(ex);
        }

        return TypedResults.Created(LocationOf(request, environment.Id), EnvironmentDocument.From(environment));
    }

    private static async Task<Ok<EnvironmentDocument>> GetEnvironmentAsync(string environmentId, RegistryService service, CancellationToken cancellationToken)
        => TypedResults.Ok(EnvironmentDocument.From(await service.GetEnvironmentAsync(environmentId, cancellationToken).ConfigureAwait(false)));

    private static async Task<Ok<EnvironmentDocument>> SetMemberAsync(string environmentId, string user, SetMemberRequest body, RegistryService service, CancellationToken cancellationToken)
    {
        var role = ApiNames.Parse<EnvironmentRole>(JsonBody.Required(body.Role, "role"), "role", "owner, member or readonly");
        return TypedResults.Ok(EnvironmentDocument.From(await service.SetMemberAsync(environmentId, user, role, cancellationToken).ConfigureAwait(false)));
    }

    private static async Task<Results<Ok<EnvironmentDocument>, ProblemHttpResult>> RemoveMemberAsync(string environmentId, string user, RegistryService service, CancellationToken cancellationToken)
    {
        // The library treats removing a non-member as done; over HTTP a DELETE of something that is not there is 404.
        // Only after the Owner check: a Member learns nothing new here (403 whoever the user is).
        var environment = await service.EnsurePermissionAsync(environmentId, RegistryPermission.ManageMembers, cancellationToken).ConfigureAwait(false);
        if (environment.RoleOf(user) is null)
        {
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "member-not-found",
                $"User '{Cut(user)}' is not a member of environment '{environmentId}': nothing to remove.", "user"));
        }

        return TypedResults.Ok(EnvironmentDocument.From(await service.RemoveMemberAsync(environmentId, user, cancellationToken).ConfigureAwait(false)));
    }

    private static async Task<Ok<RegistryDocument[]>> ListRegistriesAsync(string environmentId, RegistryService service, CancellationToken cancellationToken)
    {
        var entries = await service.ListRegistriesAsync(environmentId, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(entries.Select(RegistryDocument.From).ToArray());
    }

    private static async Task<Created<RegistryDocument>> AddRegistryAsync(string environmentId, AddRegistryRequest body, HttpRequest request, HttpResponse response, RegistryService service, CancellationToken cancellationToken)
    {
        var kind = ApiNames.Parse<RegistryKind>(JsonBody.Required(body.Kind, "kind"), "kind", "dockerHub, quay or custom");
        var address = kind switch
        {
            RegistryKind.DockerHub when body.Address is null => RegistryAddress.DockerHub,
            RegistryKind.Quay when body.Address is null => RegistryAddress.Quay,
            RegistryKind.Custom => ParseAddress(JsonBody.Required(body.Address, "address")),
            _ => throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid-input",
                $"A {ApiNames.Of(kind)} registry has a fixed address: leave out 'address', or give kind 'custom' with it.", "address"),
        };
        var scope = ScopeOf(address, body.Path);
        var credential = CredentialRequest.From(body.Email, body.Username, body.Password, body.Source, body.SourceName, body.ExpiresAt, body.IdentityToken, NowOf(request.HttpContext));
        var added = await service.AddRegistryAsync(environmentId, scope, credential, cancellationToken).ConfigureAwait(false);
        var document = await EntryAsync(response, service, environmentId, added.Id, cancellationToken).ConfigureAwait(false);
        return TypedResults.Created(LocationOf(request, added.Id), document);
    }

    private static async Task<Ok<RegistryDocument>> GetRegistryAsync(string environmentId, string registryId, HttpResponse response, RegistryService service, CancellationToken cancellationToken)
        => TypedResults.Ok(await EntryAsync(response, service, environmentId, registryId, cancellationToken).ConfigureAwait(false));

    private static async Task<Ok<RegistryDocument>> EditRegistryAsync(string environmentId, string registryId, EditRegistryRequest body, [FromHeader(Name = IfMatchHeader)] string? ifMatch, HttpResponse response, RegistryService service, CancellationToken cancellationToken)
    {
        var credential = CredentialRequest.From(body.Email, body.Username, body.Password, body.Source, body.SourceName, body.ExpiresAt, body.IdentityToken, NowOf(response.HttpContext));
        var expected = await ExpectedVersionAsync(ifMatch, service, environmentId, registryId, cancellationToken).ConfigureAwait(false);
        _ = await service.EditRegistryAsync(environmentId, registryId, credential, expected, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(await EntryAsync(response, service, environmentId, registryId, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<Ok<RegistryDocument>> DeactivateRegistryAsync(string environmentId, string registryId, [FromHeader(Name = IfMatchHeader)] string? ifMatch, HttpResponse response, RegistryService service, CancellationToken cancellationToken)
    {
        var expected = await ExpectedVersionAsync(ifMatch, service, environmentId, registryId, cancellationToken).ConfigureAwait(false);
        _ = await service.DeactivateRegistryAsync(environmentId, registryId, expected, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(await EntryAsync(response, service, environmentId, registryId, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<Ok<RegistryDocument>> ActivateRegistryAsync(string environmentId, string registryId, [FromHeader(Name = IfMatchHeader)] string? ifMatch, HttpResponse response, RegistryService service, CancellationToken cancellationToken)
    {
        var expected = await ExpectedVersionAsync(ifMatch, service, environmentId, registryId, cancellationToken).ConfigureAwait(false);
        _ = await service.ActivateRegistryAsync(environmentId, registryId, expected, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(await EntryAsync(response, service, environmentId, registryId, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<Ok<RegistryDocument>> DeleteRegistryAsync(string environmentId, string registryId, [FromHeader(Name = IfMatchHeader)] string? ifMatch, HttpResponse response, RegistryService service, CancellationToken cancellationToken)
    {
        var expected = await ExpectedVersionAsync(ifMatch, service, environmentId, registryId, cancellationToken).ConfigureAwait(false);
        _ = await service.DeleteRegistryAsync(environmentId, registryId, expected, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(await EntryAsync(response, service, environmentId, registryId, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<Ok<RegistryDocument>> RefreshRegistryAsync(string environmentId, string registryId, HttpResponse response, RegistryService service, CancellationToken cancellationToken)
    {
        _ = await service.RefreshRegistryAsync(environmentId, registryId, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(await EntryAsync(response, service, environmentId, registryId, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<Ok<ResolutionDocument>> ResolveAsync(string environmentId, string? image, RegistryService service, CancellationToken cancellationToken)
    {
        var reference = ImageReference.Parse(JsonBody.Required(image, "image"));
        return TypedResults.Ok(ResolutionDocument.From(await service.ResolveAsync(environmentId, reference, cancellationToken).ConfigureAwait(false)));
    }

    private static async Task<Ok<ExplanationDocument>> ExplainAsync(string environmentId, string? image, RegistryService service, CancellationToken cancellationToken)
    {
        var reference = ImageReference.Parse(JsonBody.Required(image, "image"));
        return TypedResults.Ok(ExplanationDocument.From(await service.ExplainAsync(environmentId, reference, cancellationToken).ConfigureAwait(false)));
    }

    [ProducesResponseType(typeof(System.Text.Json.Nodes.JsonObject), StatusCodes.Status200OK, "application/json", Description = ExportResponseDescription)]
    private static async Task<ContentHttpResult> ExportDockerConfigAsync(string environmentId, string? strict, HttpResponse response, RegistryService service, CancellationToken cancellationToken)
    {
        var isStrict = StrictOf(strict);
        var export = await new DockerConfigExporter(service).ExportAsync(environmentId, cancellationToken).ConfigureAwait(false);
        return Export(response, export, DockerConfigFormat.Docker, isStrict, export.ToDockerConfigJson());
    }

    [ProducesResponseType(typeof(System.Text.Json.Nodes.JsonObject), StatusCodes.Status200OK, "application/json", Description = ExportResponseDescription)]
    private static async Task<ContentHttpResult> ExportKubernetesSecretAsync(string environmentId, string? name, string? @namespace, string? strict, HttpResponse response, RegistryService service, CancellationToken cancellationToken)
    {
        var isStrict = StrictOf(strict);
        var secretName = name ?? "registries";
        var export = await new DockerConfigExporter(service).ExportAsync(environmentId, cancellationToken).ConfigureAwait(false);

        // Rendered first: a bad name or namespace is bad input (400) before a refusal by the rules (409).
        string json;
        try
        {
            json = export.ToKubernetesSecretJson(secretName, @namespace);
        }
        catch (ArgumentException ex) when (ex.ParamName is "name" or "namespace")
        {
            throw ApiProblems.InvalidInput(ex);
        }

        return Export(response, export, DockerConfigFormat.Kubernetes, isStrict, json);
    }

    // What the format leaves out is said, as the CLI says it on stderr: the documents are the formats' own (a Secret
    // with an extra field would be refused by kubectl's strict validation), so the notes go in a header.
    private static ContentHttpResult Export(HttpResponse response, DockerConfigExport export, DockerConfigFormat format, bool strict, string json)
    {
        if (strict)
        {
            // DockerConfigExportRefusedException: 409 export-refused, listing the scopes (ApiProblems).
            export.EnsureExpressible(format);
        }

        if (ExportNotesOf(export.GetNotes(format)) is { } notes)
        {
            response.Headers[ExportNotesHeader] = notes;
        }

        return Secret(response, json);
    }

    // A JSON array of the notes, ASCII only (the default encoder escapes the rest), cut to whole notes that fit the
    // bound, the last one then saying how many were left out.
    internal static string? ExportNotesOf(IReadOnlyList<string> notes)
    {
        if (notes.Count == 0)
        {
            return null;
        }

        var kept = new List<string>(notes.Count);
        string? encoded = null;
        for (var i = 0; i <= notes.Count; i++)
        {
            var left = notes.Count - i;
            var candidate = left == 0 ? kept : [.. kept, string.Create(CultureInfo.InvariantCulture,
                $"{left} more note(s) left out of this header: ask with strict=true for every entry this format cannot hold.")];
            var text = System.Text.Json.JsonSerializer.Serialize(candidate);
            if (text.Length > MaxExportNotesLength)
            {
                break;
            }

            encoded = text;
            if (left > 0)
            {
                kept.Add(notes[i]);
            }
        }

        return encoded;
    }

    private static bool StrictOf(string? strict) => strict switch
    {
        null => false,
        _ when bool.TryParse(strict, out var value) => value,
        _ => throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid-input", "The query parameter 'strict' must be true or false.", "strict"),
    };

    // The one kind of answer that holds passwords: never kept by a browser or a proxy.
    private static ContentHttpResult Secret(HttpResponse response, string json)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        return TypedResults.Text(json, "application/json", Encoding.UTF8);
    }

    // The application's clock when it registered one (a test's fake), else the system's: an expiry must be in the future.
    private static DateTimeOffset NowOf(HttpContext context)
        => (context.RequestServices.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System).GetUtcNow();

    // Where a created resource is: the collection's path as requested, and its id.
    private static string LocationOf(HttpRequest request, string id)
        => $"{request.PathBase}{request.Path}/{Uri.EscapeDataString(id)}";

    private static RegistryAddress ParseAddress(string text)
    {
        try
        {
            // A leading '*' is a host pattern; RegistryScope.Parse makes the same choice.
            return text.StartsWith('*') ? RegistryAddress.ParsePattern(text) : RegistryAddress.Parse(text);
        }
        catch (RegistryAddressFormatException ex)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid-address", ex.Message, "address");
        }
    }

    private static RegistryScope ScopeOf(RegistryAddress address, string? path)
    {
        try
        {
            return RegistryScope.Create(address, path);
        }
        catch (RegistryAddressFormatException ex)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid-path", ex.Message, "path");
        }
    }

    // If-Match: "VERSION" makes a write conditional on the version the client read. The version goes to the service's
    // versioned overload, and the store compares it when it writes: no read-compare-write window between two clients.
    // Absent or * writes whatever the version (the service then retries its own conflicts). A list ("1", "2", as HTTP
    // allows) matches when any of its versions is the current one: that one is written over, compared by the store as
    // ever; when none is, the highest goes to the store, which refuses it after the permission checks (409), as a
    // single stale version is refused, unless a write made it current in the meantime.
    private static async ValueTask<long?> ExpectedVersionAsync(string? ifMatch, RegistryService service, string environmentId, string registryId, CancellationToken cancellationToken)
    {
        var versions = IfMatchOf(ifMatch);
        if (versions is not { Count: > 1 })
        {
            return versions?[0];
        }

        var current = (await service.GetRegistryAsync(environmentId, registryId, cancellationToken).ConfigureAwait(false)).Registry.Version;
        return versions.Contains(current) ? current : versions.Max();
    }

    // The versions an If-Match header lists (RFC 9110: "*" or a comma-separated list of entity tags, empty elements
    // ignored), or null for none or *. Only the entries' own strong tags ("3") are taken: a weak tag, a tag that is no
    // version, or * among tags is 400.
    private static IReadOnlyList<long>? IfMatchOf(string? header)
    {
        // The framework binds the header's lines joined with commas, as a list is written on one line.
        if (header is null)
        {
            return null;
        }

        var text = header.AsSpan();
        var versions = new List<long>();
        var any = false;
        var at = 0;
        while (true)
        {
            while (at < text.Length && (text[at] is ' ' or '\t' or ','))
            {
                at++;
            }

            if (at == text.Length)
            {
                break;
            }

            if (text[at] == '*')
            {
                any = true;
                at++;
            }
            else
            {
                var close = text[at] == '"' ? text[(at + 1)..].IndexOf('"') : -1;
                if (close < 0
                    || !long.TryParse(text.Slice(at + 1, close), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                    || version < 1)
                {
                    throw InvalidIfMatch();
                }

                versions.Add(version);
                at += close + 2;
            }

            // Each element ends the header or is followed by a comma.
            while (at < text.Length && text[at] is ' ' or '\t')
            {
                at++;
            }

            if (at < text.Length && text[at] != ',')
            {
                throw InvalidIfMatch();
            }
        }

        return (any, versions.Count) switch
        {
            (true, 0) => null,
            (false, > 0) => versions,
            _ => throw InvalidIfMatch(),
        };
    }

    private static ApiProblemException InvalidIfMatch()
        => new(StatusCodes.Status400BadRequest, "invalid-if-match",
            "The If-Match header must be the entry's ETag, e.g. \"3\" (with the quotes), a list of them (\"3\", \"4\"), or *.", IfMatchHeader);

    private static string Cut(string text) => text.Length <= 100 ? text : string.Concat(text.AsSpan(0, 100), "…");

    // An entry as it is now, with its version as the response's ETag.
    private static async Task<RegistryDocument> EntryAsync(HttpResponse response, RegistryService service, string environmentId, string registryId, CancellationToken cancellationToken)
    {
        var entry = await service.GetRegistryAsync(environmentId, registryId, cancellationToken).ConfigureAwait(false);
        response.Headers.ETag = ETagOf(entry.Registry.Version);
        return RegistryDocument.From(entry);
    }

    private static string ETagOf(long version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";
}
