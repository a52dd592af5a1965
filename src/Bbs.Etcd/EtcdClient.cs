using Bbs.Etcd.Streams;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using LibraryClient = dotnet_etcd.EtcdClient;

namespace Bbs.Etcd;

/// <summary>
/// Our client for etcd's v3 API: KV and transactions, watches, leases and member status, with the failure model
/// the store needs. Unary calls go through dotnet-etcd's <see cref="LibraryClient"/>; watches and lease
/// keep-alives through the generated <c>Watch</c> and <c>Lease</c> clients, on one multiplexed stream each. All
/// of it runs on one Grpc.Net.Client channel. Thread-safe; create one per cluster and share it.
/// </summary>
/// <remarks>
/// Failure model: calls are spread over the reachable endpoints (round robin); the balancer leaves out a member it
/// cannot connect to. Idempotent calls (Range, Status, LeaseTimeToLive, LeaseKeepAliveOnce, LeaseRevoke) are retried
/// with exponential backoff on <see cref="EtcdUnavailableException"/> and <see cref="EtcdDeadlineExceededException"/>;
/// writes (Put, DeleteRange, Txn, Compact, LeaseGrant) are not, since a failure may hide a success: they throw,
/// and the caller decides. Each attempt has the deadline <see cref="EtcdClientOptions.RequestTimeout"/>; the
/// caller's token cancels the whole call with <see cref="OperationCanceledException"/>. With
/// <see cref="EtcdClientOptions.Username"/>, every call carries the user's token; a call refused for an invalid
/// token was not applied, so it is sent once more with a new token, writes included.
/// Errors: <see cref="EtcdException"/> carries etcd's gRPC status; the subclasses name the cases callers handle.
/// </remarks>
public sealed partial class EtcdClient : IAsyncDisposable
{
    private readonly EtcdClientOptions _options;
    private readonly GrpcChannel _channel;
    private readonly LibraryClient _etcd;
    private readonly EtcdAuth? _auth;
    private readonly ResiliencePipeline _retry;
    private readonly WatchMultiplexer _watches;
    private readonly LeaseKeeper _leases;
    private readonly ILogger _logger;
    private readonly TimeSpan _requestTimeout;
    private int _disposed;

    /// <param name="options">Validated here; invalid options throw <see cref="ArgumentException"/>.</param>
    /// <param name="logger">Receives retry, reconnect, token and lease-loss events; none when null.</param>
    public EtcdClient(EtcdClientOptions options, ILogger? logger = null)
        : this(options, options?.Endpoints ?? [], logger)
    {
    }

    private EtcdClient(EtcdClientOptions options, IReadOnlyList<Uri> endpoints, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid etcd client options: " + string.Join(" ", errors), nameof(options));
        }

        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _requestTimeout = options.RequestTimeout;
        _channel = EtcdChannel.Create(options, endpoints, loggerFactory: null);
        _etcd = new LibraryClient(_channel.CreateCallInvoker());
        var generated = _etcd.GetConnection();
        if (!string.IsNullOrEmpty(options.Username))
        {
            _auth = new EtcdAuth(options.Username, options.Password!, (request, ct) => _etcd.AuthenticateAsync(request, deadline: Deadline(), cancellationToken: ct));
        }

        _retry = Retry.CreatePipeline(options, _logger);
        _watches = new WatchMultiplexer(generated.WatchClient, _auth, _logger, options, UntilChannelReconnectsAsync);
        _leases = new LeaseKeeper(generated.LeaseClient, _auth, _logger, options, UntilChannelReconnectsAsync);
    }

    /// <summary>
    /// Ends every open watch (their consumers see <see cref="ObjectDisposedException"/>), stops renewing leases
    /// (<see cref="LeaseLossReason.ClientDisposed"/>), and closes the connections. Calls in flight fail.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _watches.DisposeAsync().ConfigureAwait(false);
        await _leases.DisposeAsync().ConfigureAwait(false);
        _etcd.Dispose();
        _channel.Dispose();
        _auth?.Dispose();
    }

    private DateTime Deadline() => DateTime.UtcNow + _requestTimeout;

    /// <summary>One call through the library: retried by the pipeline when <paramref name="idempotent"/>, timed and traced as <paramref name="operation"/>.</summary>
    private async Task<TResponse> CallAsync<TRequest, TResponse>(string operation, Func<LibraryClient, TRequest, Metadata?, DateTime, CancellationToken, Task<TResponse>> call, TRequest request, bool idempotent, CancellationToken cancellationToken)
        where TRequest : class
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var activity = EtcdTelemetry.Start(operation);
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        bool failed = true;
        try
        {
            var response = idempotent
                ? await _retry.ExecuteAsync(
                    static (state, ct) => new ValueTask<TResponse>(state.Self.AttemptAsync(state.Call, state.Request, ct)),
                    (Self: this, Call: call, Request: request),
                    cancellationToken).ConfigureAwait(false)
                : await AttemptAsync(call, request, cancellationToken).ConfigureAwait(false);
            failed = false;
            return response;
        }
        finally
        {
            EtcdTelemetry.Record(operation, started, failed);
            activity?.SetStatus(failed ? System.Diagnostics.ActivityStatusCode.Error : System.Diagnostics.ActivityStatusCode.Ok);
        }
    }

    /// <summary>
    /// One attempt with its deadline and the user's token; a call refused for an invalid token is sent once more
    /// with a new one. gRPC failures become the client's typed exceptions.
    /// </summary>
    private async Task<TResponse> AttemptAsync<TRequest, TResponse>(Func<LibraryClient, TRequest, Metadata?, DateTime, CancellationToken, Task<TResponse>> call, TRequest request, CancellationToken cancellationToken)
    {
        Metadata? headers = null;
        bool waitedForConnection = false;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                if (_auth is not null)
                {
                    headers = await _auth.HeadersAsync(cancellationToken).ConfigureAwait(false);
                }

                return await call(_etcd, request, headers, Deadline(), cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("the call was cancelled", ex, cancellationToken);
            }
            catch (RpcException ex) when (attempt == 1 && _auth is not null && EtcdAuth.IsInvalidToken(ex))
            {
                await RenewTokenAsync(headers, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException ex)
            {
                var error = EtcdErrors.From(ex);
                if (error is not EtcdUnavailableException { NotConnected: true } || waitedForConnection)
                {
                    throw error;
                }

                // Nothing was sent, so even a write may go again: once a member accepts a connection, within the
                // connect timeout. Otherwise the call fails, and since it already waited it is not retried.
                waitedForConnection = true;
                if (!await WaitForConnectionAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw new EtcdUnavailableException(error.Message, ex) { NotConnected = true, WaitedForConnection = true };
                }
            }
        }
    }

    /// <summary>
    /// Asks the channel to connect now (ending its reconnect backoff) and waits until a member is ready, at most
    /// <see cref="EtcdClientOptions.ConnectTimeout"/>; false when none became ready.
    /// </summary>
    private async Task<bool> WaitForConnectionAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            await _channel.ConnectAsync(timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Failed attempts of the watch stream to reach etcd since the client was created.</summary>
    public long WatchStreamFailedAttempts => _watches.FailedAttempts;

    /// <summary>Failed attempts of the lease keep-alive stream to reach etcd since the client was created.</summary>
    public long KeepAliveStreamFailedAttempts => _leases.FailedAttempts;

    /// <summary>
    /// For a stream pausing between reconnect attempts: completes when the channel, not connected to any member when
    /// called, connects to one (the balancer keeps trying in the background, within <see cref="EtcdClientOptions.MaxRetryDelay"/>),
    /// so the stream tries again at once instead of waiting out a long backoff. When the channel is connected (etcd
    /// answers, but refused the stream), only the cancellation that ends the pause completes it.
    /// </summary>
    private async Task UntilChannelReconnectsAsync(CancellationToken cancellationToken)
    {
        var state = _channel.State;
        if (state == ConnectivityState.Ready)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            return;
        }

        while (state != ConnectivityState.Ready)
        {
            await _channel.WaitForStateChangedAsync(state, cancellationToken).ConfigureAwait(false);
            state = _channel.State;
        }
    }

    private async Task RenewTokenAsync(Metadata? stale, CancellationToken cancellationToken)
    {
        try
        {
            await _auth!.RenewAsync(stale, cancellationToken).ConfigureAwait(false);
            _logger.TokenRenewed(_options.Username!);
        }
        catch (RpcException ex)
        {
            throw EtcdErrors.From(ex);
        }
    }
}
