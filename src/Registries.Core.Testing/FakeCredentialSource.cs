using Registries.Core.Sources;

namespace Registries.Core.Testing;

/// <summary>An <see cref="ICredentialSource"/> for unit tests: it answers what it is told to (a credential with a
/// lifetime, none, or a failure), counts and records its calls, and can hold fetches until released.</summary>
/// <remarks>
/// <para>Register it as the source of one kind (a credential helper by default) in a <see cref="CredentialSources"/>, or
/// with dependency injection as an <see cref="ICredentialSource"/> singleton, and add entries of that kind
/// (<see cref="RegistryCredential.FromCredentialHelper"/>). Until told otherwise it has no credential for any address
/// (it answers <see langword="null"/>, as <c>docker-credential-pass</c> does for an unknown server).</para>
/// <para>A lifetime is counted from the moment of the fetch on the <see cref="TimeProvider"/> given (a
/// <c>FakeTimeProvider</c> in tests that move time). <see cref="Hold"/> makes every fetch wait until
/// <see cref="Release"/> (cancellation still ends the wait), to test what waits on a fetch.</para>
/// <para>Thread-safe. No text it produces (<see cref="ToString"/>, the messages it throws) contains a secret.</para>
/// </remarks>
public sealed class FakeCredentialSource : ICredentialSource
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly List<CredentialSourceRequest> _requests = [];
    private Func<CredentialSourceRequest, DateTimeOffset, SourcedCredential?> _answer = static (_, _) => null;
    private TaskCompletionSource? _hold;
    private TaskCompletionSource _called = NewSignal();

    /// <summary>Initializes a fake source of one kind.</summary>
    /// <param name="kind">The kind it serves (not <see cref="CredentialSourceKind.Stored"/>).</param>
    /// <param name="timeProvider">The clock lifetimes are counted on; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is Stored or unknown.</exception>
    public FakeCredentialSource(CredentialSourceKind kind = CredentialSourceKind.CredentialHelper, TimeProvider? timeProvider = null)
    {
        if (kind == CredentialSourceKind.Stored || !Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "A source serves credential helpers, kubelet plugins or identity tokens.");
        }

        Kind = kind;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public CredentialSourceKind Kind { get; }

    /// <summary>Gets how many fetches were asked (held ones included).</summary>
    public int CallCount
    {
        get
        {
            lock (_gate)
            {
                return _requests.Count;
            }
        }
    }

    /// <summary>Gets every request asked, in order (a snapshot).</summary>
    public IReadOnlyList<CredentialSourceRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToArray();
            }
        }
    }

    /// <summary>Answers every later fetch with a credential.</summary>
    /// <param name="username">The username.</param>
    /// <param name="secret">The secret.</param>
    /// <param name="lifetime">How long each answer lasts from its fetch, or <see langword="null"/> to give no expiry.</param>
    /// <param name="cacheScope">Which resolutions may share it.</param>
    /// <param name="secretKind">What the secret is.</param>
    /// <returns>This source, for chaining.</returns>
    /// <exception cref="ArgumentException">The username or secret is empty, or the lifetime is not positive.</exception>
    public FakeCredentialSource Returns(string username, string secret, TimeSpan? lifetime = null, CredentialCacheScope cacheScope = CredentialCacheScope.Registry, CredentialSecretKind secretKind = CredentialSecretKind.Password)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        if (lifetime is { } life && life <= TimeSpan.Zero)
        {
            throw new ArgumentException("A lifetime must be positive.", nameof(lifetime));
        }

        var registrySecret = new RegistrySecret(secret);
        return AnswersWith((_, now) => new SourcedCredential(username, registrySecret, secretKind, lifetime is { } l ? now + l : null, cacheScope));
    }

    /// <summary>Answers every later fetch with "no credential for this address" (<see langword="null"/>).</summary>
    /// <returns>This source, for chaining.</returns>
    public FakeCredentialSource HasNone() => AnswersWith(static (_, _) => null);

    /// <summary>Fails every later fetch with a <see cref="CredentialSourceException"/>.</summary>
    /// <param name="message">The failure's message (the reason an Unavailable resolution gives).</param>
    /// <returns>This source, for chaining.</returns>
    /// <exception cref="ArgumentException">The message is empty.</exception>
    public FakeCredentialSource Fails(string message)
    {
        ArgumentException.ThrowIfNullOrEmpty(message);
        return AnswersWith((request, _) => throw new CredentialSourceException(request.Registry.Source, message));
    }

    /// <summary>Answers every later fetch with what a function returns (it may throw <see cref="CredentialSourceException"/>).</summary>
    /// <param name="answer">Given the request and the time of the fetch; returns the credential or <see langword="null"/>.</param>
    /// <returns>This source, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="answer"/> is <see langword="null"/>.</exception>
    public FakeCredentialSource AnswersWith(Func<CredentialSourceRequest, DateTimeOffset, SourcedCredential?> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        lock (_gate)
        {
            _answer = answer;
        }

        return this;
    }

    /// <summary>Makes every later fetch wait until <see cref="Release"/>.</summary>
    public void Hold()
    {
        lock (_gate)
        {
            _hold ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Lets the held fetches (and every later one) go on.</summary>
    public void Release()
    {
        TaskCompletionSource? hold;
        lock (_gate)
        {
            hold = _hold;
            _hold = null;
        }

        hold?.TrySetResult();
    }

    /// <summary>Waits until at least <paramref name="count"/> fetches were asked.</summary>
    /// <param name="count">The number of calls.</param>
    /// <param name="cancellationToken">Ends the wait (give one with a timeout: the wait has no bound of its own).</param>
    /// <returns>A task that completes when the count is reached.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    public async Task WaitForCallsAsync(int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task signal;
            lock (_gate)
            {
                if (_requests.Count >= count)
                {
                    return;
                }

                signal = _called.Task;
            }

            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<SourcedCredential?> FetchAsync(CredentialSourceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Task? hold;
        Func<CredentialSourceRequest, DateTimeOffset, SourcedCredential?> answer;
        TaskCompletionSource called;
        lock (_gate)
        {
            _requests.Add(request);
            hold = _hold?.Task;
            answer = _answer;
            called = _called;
            _called = NewSignal();
        }

        called.TrySetResult();
        if (hold is not null)
        {
            await hold.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return answer(request, _time.GetUtcNow());
    }

    /// <inheritdoc/>
    public override string ToString() => $"FakeCredentialSource({CredentialSource.NameOf(Kind)}, {CallCount} calls)";

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
