using System.Diagnostics;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Polly;

namespace Bbs.Etcd.Transport;

/// <summary>
/// One long-lived bidirectional stream shared by many subscribers (watches, kept-alive leases), kept open while
/// there are subscribers. When the stream breaks, it is reopened (with the client's retry pipeline, moving to the
/// next endpoint on failure, and pausing between rounds while etcd stays unreachable) and
/// <see cref="OnConnected"/> re-establishes every subscriber on the new stream. When the last subscriber leaves,
/// the stream is closed. Subclasses keep their subscriber state under <see cref="Gate"/>.
/// </summary>
internal abstract class ResilientStream<TRequest, TResponse> : IAsyncDisposable
    where TRequest : IMessage
    where TResponse : class, IMessage<TResponse>
{
    private readonly GrpcChannel _channel;
    private readonly ResiliencePipeline _retry;
    private readonly string _name;
    private readonly string _path;
    private readonly MessageParser<TResponse> _parser;
    private readonly TimeSpan _reconnectPause;
    private readonly CancellationTokenSource _disposing = new();
    private DuplexCall<TRequest, TResponse>? _call;
    private Task? _pump;

    protected ResilientStream(GrpcChannel channel, ResiliencePipeline retry, ILogger logger, TimeSpan reconnectPause, string name, string path, MessageParser<TResponse> parser)
    {
        _channel = channel;
        _retry = retry;
        Logger = logger;
        _reconnectPause = reconnectPause;
        _name = name;
        _path = path;
        _parser = parser;
    }

    protected Lock Gate { get; } = new();

    protected ILogger Logger { get; }

    /// <summary>Set under <see cref="Gate"/> when disposal starts.</summary>
    protected bool IsDisposed { get; private set; }

    protected CancellationToken Disposing => _disposing.Token;

    /// <summary>Called with <see cref="Gate"/> held.</summary>
    protected abstract bool HasSubscribers { get; }

    /// <summary>Called with <see cref="Gate"/> held, on a new stream: queue the requests that set up every subscriber.</summary>
    protected abstract void OnConnected(DuplexCall<TRequest, TResponse> call);

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

    private static bool IsPermanent(EtcdException ex) => ex.StatusCode is GrpcStatusCode.PermissionDenied or GrpcStatusCode.Unauthenticated
        or GrpcStatusCode.Unimplemented or GrpcStatusCode.InvalidArgument or GrpcStatusCode.FailedPrecondition or GrpcStatusCode.ResourceExhausted;

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
                Logger.StreamUnreachable(_name, ex.Message, _reconnectPause);
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
    /// at once) or when it was closed for being idle; throws a transient failure when it could not be opened, so the
    /// pipeline backs off.
    /// </summary>
    private async ValueTask RunCallAsync(CancellationToken cancellationToken)
    {
        var endpoint = _channel.Endpoints.Current;
        DuplexCall<TRequest, TResponse>? attached = null;
        bool receivedAny = false;
        try
        {
            var call = await _channel.StartDuplexAsync<TRequest, TResponse>(endpoint, _path, _parser, c =>
            {
                lock (Gate)
                {
                    attached = c;
                    _call = c;
                    if (IsDisposed || !HasSubscribers)
                    {
                        c.Abort();
                    }
                    else
                    {
                        OnConnected(c);
                    }
                }
            }, cancellationToken).ConfigureAwait(false);
            Logger.StreamConnected(_name, endpoint);

            while (await call.ReadAsync().ConfigureAwait(false) is { } response)
            {
                receivedAny = true;
                await OnResponseAsync(response).ConfigureAwait(false);
            }

            Logger.StreamBroken(_name, endpoint, "etcd ended the stream");
        }
        catch (OperationCanceledException) when (attached is { IsAborted: true } && !cancellationToken.IsCancellationRequested)
        {
            // Closed because the last subscriber left.
        }
        catch (EtcdException ex) when (!IsPermanent(ex))
        {
            _channel.Endpoints.ReportFailure(endpoint, ex);
            if (!receivedAny)
            {
                if (Retry.IsTransient(ex))
                {
                    throw;
                }

                throw new EtcdUnavailableException($"etcd ended the {_name} stream: {ex.Message}", ex);
            }

            Logger.StreamBroken(_name, endpoint, ex.Message);
        }
        finally
        {
            if (attached is not null)
            {
                lock (Gate)
                {
                    if (_call == attached)
                    {
                        _call = null;
                    }
                }

                await attached.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
