using Bbs.Etcd.Leasing;
using Bbs.Etcd.Transport;
using Bbs.Etcd.Watching;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace Bbs.Etcd;

/// <summary>
/// A client for etcd's v3 gRPC API: KV and transactions, watches, leases and member status. Thread-safe; create one
/// per cluster and share it. It speaks gRPC over one HTTP/2 <see cref="SocketsHttpHandler"/>: cleartext with prior
/// knowledge for <c>http://</c> endpoints, TLS for <c>https://</c> ones.
/// </summary>
/// <remarks>
/// Failure model: every call goes to the current endpoint; a transport failure or Unavailable moves the client on to
/// the next endpoint. When a connection cannot even be opened the call moves on at once, since nothing was sent.
/// Idempotent calls (Range, Status, LeaseTimeToLive, LeaseKeepAliveOnce, LeaseRevoke) are retried with exponential
/// backoff on <see cref="EtcdUnavailableException"/> and <see cref="EtcdDeadlineExceededException"/>; writes (Put,
/// DeleteRange, Txn, Compact, LeaseGrant) are not, since a failure may hide a success: they throw, and the caller
/// decides. Each attempt has the deadline <see cref="EtcdClientOptions.RequestTimeout"/>; the caller's token cancels
/// the whole call with <see cref="OperationCanceledException"/>.
/// Errors: <see cref="EtcdException"/> carries etcd's gRPC status; the subclasses name the cases callers handle.
/// </remarks>
public sealed partial class EtcdClient : IAsyncDisposable
{
    private readonly GrpcChannel _channel;
    private readonly ResiliencePipeline _retry;
    private readonly WatchMultiplexer _watches;
    private readonly LeaseKeeper _leases;
    private readonly TimeSpan _requestTimeout;
    private int _disposed;

    /// <param name="options">Validated here; invalid options throw <see cref="ArgumentException"/>.</param>
    /// <param name="logger">Receives failover, retry, reconnect and lease-loss events; none when null.</param>
    public EtcdClient(EtcdClientOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid etcd client options: " + string.Join(" ", errors), nameof(options));
        }

        logger ??= NullLogger.Instance;
        _requestTimeout = options.RequestTimeout;
        _channel = new GrpcChannel(options, logger);
        _retry = Retry.CreatePipeline(options, logger);
        _watches = new WatchMultiplexer(_channel, _retry, logger, options);
        _leases = new LeaseKeeper(_channel, _retry, logger, options);
    }

    /// <summary>The endpoint calls currently go to.</summary>
    public Uri CurrentEndpoint => _channel.Endpoints.Current;

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
        _channel.Dispose();
    }

    private Task<TResponse> CallAsync<TResponse>(string path, IMessage request, MessageParser<TResponse> parser, bool idempotent, CancellationToken cancellationToken, Uri? endpoint = null)
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!idempotent)
        {
            return _channel.UnaryAsync(path, request, parser, endpoint, cancellationToken);
        }

        return _retry.ExecuteAsync(
            static (state, ct) => new ValueTask<TResponse>(state.Channel.UnaryAsync(state.Path, state.Request, state.Parser, state.Endpoint, ct)),
            (Channel: _channel, Path: path, Request: request, Parser: parser, Endpoint: endpoint),
            cancellationToken).AsTask();
    }

    /// <summary>The gRPC method paths of etcd's v3 API.</summary>
    private static class Methods
    {
        public const string Range = "/etcdserverpb.KV/Range";
        public const string Put = "/etcdserverpb.KV/Put";
        public const string DeleteRange = "/etcdserverpb.KV/DeleteRange";
        public const string Txn = "/etcdserverpb.KV/Txn";
        public const string Compact = "/etcdserverpb.KV/Compact";
        public const string LeaseGrant = "/etcdserverpb.Lease/LeaseGrant";
        public const string LeaseRevoke = "/etcdserverpb.Lease/LeaseRevoke";
        public const string LeaseKeepAlive = "/etcdserverpb.Lease/LeaseKeepAlive";
        public const string LeaseTimeToLive = "/etcdserverpb.Lease/LeaseTimeToLive";
        public const string Status = "/etcdserverpb.Maintenance/Status";
    }
}
