using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Bbs.Etcd.Streams;

/// <summary>
/// One long-lived bidirectional gRPC stream shared by many subscribers (watches, kept-alive leases), kept open while
/// there are subscribers. When the stream breaks it is opened again, and <see cref="OnConnected"/> re-establishes
/// every subscriber on the new stream. While etcd stays unreachable the attempts back off exponentially with jitter
/// (<see cref="Outage"/>, <see cref="ReconnectBackoff"/>), and a pause ends early when the channel connects to a
/// member again, so a long pause does not delay recovery. The loss of etcd is logged once, its return once (how long
/// it was gone, how many attempts failed), never once per attempt. When the last subscriber leaves, the stream is closed.
/// Subclasses keep their subscriber state under <see cref="Gate"/>.
/// </summary>
/// <remarks>
/// Grpc.Net.Client gives the call, the framing and the transport; what it does not give, and this class adds, is
/// the reconnect loop with one multiplexed stream for many subscribers, which etcd's watch and keep-alive APIs are
/// designed for (see docs/architecture.md).
/// </remarks>
internal abstract class ResilientStream<TRequest, TResponse> : IAsyncDisposable
    where TRequest : class
    where TResponse : class
{
    private readonly Func<Metadata?, CancellationToken, AsyncDuplexStreamingCall<TRequest, TResponse>> _open;
    private readonly EtcdAuth? _auth;
    private readonly string _name;
    private readonly Func<CancellationToken, Task> _untilReconnected;
    private readonly Outage _outage;
    private readonly CancellationTokenSource _disposing = new();
    private StreamCall<TRequest, TResponse>? _call;
    private Task? _pump;
    private long _failedAttempts;

    /// <param name="untilReconnected">
    /// Completes when there is reason to try again before the backoff's pause is over (the channel connected to a
    /// member again); cancelled when the pause is over. Null: wait out every pause.
    /// </param>
    protected ResilientStream(Func<Metadata?, CancellationToken, AsyncDuplexStreamingCall<TRequest, TResponse>> open, EtcdAuth? auth, ILogger logger, ReconnectBackoff backoff, Func<CancellationToken, Task>? untilReconnected, string name)
    {
        _open = open;
        _auth = auth;
        Logger = logger;
        _outage = new Outage(backoff);
        _untilReconnected = untilReconnected ?? (static ct => Task.Delay(Timeout.Infinite, ct));
        _name = name;
    }

    /// <summary>Failed attempts to (re)open the stream since the client was created: for tests and diagnostics.</summary>
    public long FailedAttempts => Interlocked.Read(ref _failedAttempts);

    protected Lock Gate { get; } = new();

    protected ILogger Logger { get; }

    /// <summary>Set under <see cref="Gate"/> when disposal starts.</summary>
    protected bool IsDisposed { get; private set; }

    protected CancellationToken Disposing => _disposing.Token;

    /// <summary>Called with <see cref="Gate"/> held.</summary>
    protected abstract bool HasSubscribers { get; }

    /// <summary>Called with <see cref="Gate"/> held, on a new stream: queue the requests that set up every subscriber.</summary>
    protected abstract void OnConnected(StreamCall<TRequest, TResponse> call);

    /// <summary>Called for each response, in order, from the one pump task. Awaiting here holds back the stream.</summary>
    protected abstract ValueTask OnResponseAsync(TResponse response);

    /// <summary>Called without the gate when etcd refused the stream for good (e.g. permission denied).</summary>
    protected abstract void OnPermanentFailure(EtcdException error);

    /// <summary>Called with <see cref="Gate"/> held when disposal starts: end every subscriber.</summary>
    protected abstract void OnDisposing();

    public async ValueTask DisposeAsync()
    {
        Task? pump;
        lock (Gate)
        {
            if (IsDisposed)
            {
                return;
            }

            IsDisposed = true;
            OnDisposing();
            _call?.Abort();
            pump = _pump;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        if (pump is not null)
        {
            await pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await OnPumpStoppedAsync().ConfigureAwait(false);
        _disposing.Dispose();
    }

    protected virtual ValueTask OnPumpStoppedAsync() => default;

    /// <summary>With <see cref="Gate"/> held: sends on the open stream, if there is one (otherwise <see cref="OnConnected"/> will).</summary>
    protected bool TrySend(TRequest request)
    {
        Debug.Assert(Gate.IsHeldByCurrentThread, "TrySend needs the gate");
        return _call?.TrySend(request) ?? false;
    }

    /// <summary>With <see cref="Gate"/> held, after adding a subscriber: makes sure the stream is being kept open.</summary>
    protected void EnsureStarted()
    {
        Debug.Assert(Gate.IsHeldByCurrentThread, "EnsureStarted needs the gate");
        ObjectDisposedException.ThrowIf(IsDisposed, typeof(EtcdClient));
        _pump ??= Task.Run(PumpAsync);
    }

    /// <summary>With <see cref="Gate"/> held, after removing a subscriber: closes the stream when nobody is left.</summary>
    protected void CloseIfIdle()
    {
        Debug.Assert(Gate.IsHeldByCurrentThread, "CloseIfIdle needs the gate");
        if (!HasSubscribers)
        {
            _call?.Abort();
        }
    }

    private static bool IsPermanent(EtcdException ex) => ex.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated
        or StatusCode.Unimplemented or StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.ResourceExhausted;

    private async Task PumpAsync()
    {
        while (true)
        {
            lock (Gate)
            {
                if (IsDisposed || !HasSubscribers)
                {
                    _pump = null;
                    return;
                }
            }

            string reason;
            bool wasConnected = false;
            bool permanent = false;
            try
            {
                var ended = await RunCallAsync(_disposing.Token).ConfigureAwait(false);
                if (ended.Failure is null)
                {
                    continue;
                }

                reason = ended.Failure;
                wasConnected = ended.WasConnected;
            }
            catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
            {
                continue;
            }
            catch (EtcdException ex) when (IsPermanent(ex))
            {
                Logger.StreamFailed(_name, ex.Message);
                OnPermanentFailure(ex);
                reason = ex.Message;
                permanent = true;
            }
            catch (EtcdException ex)
            {
                reason = ex.Message;
            }
            catch (RpcException ex)
            {
                // Renewing the token failed: etcd is unreachable, most likely.
                reason = EtcdErrors.From(ex).Message;
            }
            catch (Exception ex)
            {
                // A bug rather than an etcd failure; keep the stream alive rather than silently stopping.
                Logger.StreamFailed(_name, ex.ToString());
                reason = ex.Message;
                permanent = true;
            }

            Interlocked.Increment(ref _failedAttempts);
            var attempt = _outage.Failed();
            if (!permanent)
            {
                switch (attempt.Report)
                {
                    case OutageReport.Began when wasConnected:
                        Logger.StreamBroken(_name, reason, _outage.Backoff.MaxDelay);
                        break;
                    case OutageReport.Began:
                        Logger.StreamUnreachable(_name, reason, _outage.Backoff.MaxDelay);
                        break;
                    case OutageReport.StillDown:
                        Logger.StreamStillUnreachable(_name, attempt.Down, attempt.Attempts, reason);
                        break;
                }
            }

            await PauseAsync(attempt.Pause).ConfigureAwait(false);
        }
    }

    /// <summary>Waits <paramref name="pause"/>, or less when the channel connects again first, or until disposal.</summary>
    private async Task PauseAsync(TimeSpan pause)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(_disposing.Token);
        timer.CancelAfter(pause);
        try
        {
            await _untilReconnected(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The pause is over, or disposing (the loop ends at the top).
        }
    }

    /// <summary>How one call ended: closed on purpose (no failure), or broken, after etcd had answered on it or before.</summary>
    private readonly record struct CallEnd(string? Failure, bool WasConnected);

    /// <summary>
    /// Opens the stream and reads it until it ends. Returns no failure when it was closed for being idle or must be
    /// opened again with a new token, and the reason when it broke (an attempt that failed, for the backoff); throws
    /// when etcd refused it for good.
    /// </summary>
    private async ValueTask<CallEnd> RunCallAsync(CancellationToken cancellationToken)
    {
        var headers = _auth is null ? null : await AuthHeadersAsync(cancellationToken).ConfigureAwait(false);
        StreamCall<TRequest, TResponse>? call = null;
        bool receivedAny = false;
        try
        {
            lock (Gate)
            {
                call = new StreamCall<TRequest, TResponse>(token => _open(headers, token), cancellationToken);
                _call = call;
                if (IsDisposed || !HasSubscribers)
                {
                    call.Abort();
                }
                else
                {
                    OnConnected(call);
                }
            }

            while (await call.ReadAsync().ConfigureAwait(false) is { } response)
            {
                if (!receivedAny)
                {
                    receivedAny = true;
                    if (_outage.Recovered(out var down, out long attempts))
                    {
                        Logger.StreamReconnected(_name, down, attempts);
                    }
                    else
                    {
                        Logger.StreamConnected(_name);
                    }
                }

                await OnResponseAsync(response).ConfigureAwait(false);
            }

            return new CallEnd("etcd ended the stream", receivedAny);
        }
        catch (OperationCanceledException) when (call is { IsAborted: true } && !cancellationToken.IsCancellationRequested)
        {
            // Closed because the last subscriber left.
            return default;
        }
        catch (RpcException ex) when (_auth is not null && EtcdAuth.IsInvalidToken(ex))
        {
            // The token expired: the next attempt authenticates again.
            await _auth.RenewAsync(headers, cancellationToken).ConfigureAwait(false);
            return default;
        }
        catch (RpcException ex)
        {
            var error = EtcdErrors.From(ex);
            if (IsPermanent(error))
            {
                throw error;
            }

            return new CallEnd(error.Message, receivedAny);
        }
        finally
        {
            if (call is not null)
            {
                lock (Gate)
                {
                    if (_call == call)
                    {
                        _call = null;
                    }
                }

                await call.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<Metadata?> AuthHeadersAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _auth!.HeadersAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            throw EtcdErrors.From(ex);
        }
    }
}
