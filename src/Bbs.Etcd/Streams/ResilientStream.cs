using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Polly;

namespace Bbs.Etcd.Streams;

/// <summary>
/// One long-lived bidirectional gRPC stream shared by many subscribers (watches, kept-alive leases), kept open while
/// there are subscribers. When the stream breaks it is opened again (with the client's retry pipeline, pausing
/// between rounds while etcd stays unreachable; the channel's balancer picks a live member), and
/// <see cref="OnConnected"/> re-establishes every subscriber on the new stream. When the last subscriber leaves,
/// the stream is closed. Subclasses keep their subscriber state under <see cref="Gate"/>.
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
    private readonly ResiliencePipeline _retry;
    private readonly string _name;
    private readonly TimeSpan _reconnectPause;

    // While etcd stays unreachable: one line when it begins, then one every 30 s with the count of attempts.
    private readonly RepeatedCondition _unreachable = new(TimeSpan.FromSeconds(30));
    private readonly CancellationTokenSource _disposing = new();
    private StreamCall<TRequest, TResponse>? _call;
    private Task? _pump;

    protected ResilientStream(Func<Metadata?, CancellationToken, AsyncDuplexStreamingCall<TRequest, TResponse>> open, EtcdAuth? auth, ResiliencePipeline retry, ILogger logger, TimeSpan reconnectPause, string name)
    {
        _open = open;
        _auth = auth;
        _retry = retry;
        Logger = logger;
        _reconnectPause = reconnectPause;
        _name = name;
    }

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

            try
            {
                await _retry.ExecuteAsync(static (self, ct) => self.RunCallAsync(ct), this, _disposing.Token).ConfigureAwait(false);
                continue;
            }
            catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
            {
                continue;
            }
            catch (EtcdException ex) when (Retry.IsTransient(ex))
            {
                if (_unreachable.Occurred(out long attempts))
                {
                    Logger.StreamUnreachable(_name, ex.Message, _reconnectPause, attempts);
                }
            }
            catch (EtcdException ex)
            {
                Logger.StreamFailed(_name, ex.Message);
                OnPermanentFailure(ex);
            }
            catch (Exception ex)
            {
                // A bug rather than an etcd failure; keep the stream alive rather than silently stopping.
                Logger.StreamFailed(_name, ex.ToString());
            }

            try
            {
                await Task.Delay(_reconnectPause, _disposing.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Disposing; the loop ends at the top.
            }
        }
    }

    /// <summary>
    /// Opens the stream and reads it until it ends. Returns normally when a stream that had worked breaks (reconnect
    /// at once) or when it was closed for being idle; throws a transient failure when it broke before etcd answered
    /// anything, so the pipeline backs off.
    /// </summary>
    private async ValueTask RunCallAsync(CancellationToken cancellationToken)
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
                    _unreachable.Ended(out _);
                    Logger.StreamConnected(_name);
                }

                await OnResponseAsync(response).ConfigureAwait(false);
            }

            Logger.StreamBroken(_name, "etcd ended the stream");
        }
        catch (OperationCanceledException) when (call is { IsAborted: true } && !cancellationToken.IsCancellationRequested)
        {
            // Closed because the last subscriber left.
        }
        catch (RpcException ex) when (_auth is not null && EtcdAuth.IsInvalidToken(ex))
        {
            // The token expired: the next attempt authenticates again.
            await _auth.RenewAsync(headers, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            var error = EtcdErrors.From(ex);
            if (IsPermanent(error))
            {
                throw error;
            }

            if (!receivedAny)
            {
                throw Retry.IsTransient(error) ? error : new EtcdUnavailableException($"etcd ended the {_name} stream: {error.Message}", error);
            }

            Logger.StreamBroken(_name, error.Message);
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
