using Bbs.Etcd;
using Microsoft.Extensions.Logging;
using Api = Etcdserverpb;

namespace Bbs.Store.Etcd;

/// <summary>
/// The <see cref="IKeyValueStore"/> on a real etcd v3 cluster, through one <see cref="EtcdClient"/>. Keys and prefixes
/// are the UTF-8 bytes of their strings; a prefix is etcd's [prefix, <see cref="EtcdKeys.PrefixEnd(string)"/>) range,
/// and the empty prefix the whole keyspace. Thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Failures are the client's, translated into the port's exceptions. Reads, lease renewals and lookups are retried
/// on transient failures; transactions, grants and compaction are not, so a <see cref="StoreUnavailableException"/>
/// from one of them means it may or may not have been applied: re-read and decide.
/// </para>
/// <para>
/// Values are wrapped, not copied, on their way to etcd: a caller must not change a buffer while the call that
/// writes it is running. Values read back share the response's buffers and must not be changed either.
/// </para>
/// <para>
/// <see cref="DisposeAsync"/> ends this store's open watches (their sequences complete) and disposes the client when
/// the store owns it; any other call afterwards throws <see cref="ObjectDisposedException"/>.
/// </para>
/// </remarks>
public sealed partial class EtcdKeyValueStore : IKeyValueStore
{
    // Keys per Range response when reading a prefix; every page is pinned to the first one's revision.
    private const int RangePageSize = 10_000;

    private readonly EtcdClient _client;
    private readonly bool _ownsClient;
    // Cancelled on dispose to end this store's watches; never disposed itself, so watches may still read its token.
    private readonly CancellationTokenSource _disposing = new();
    private int _disposed;

    /// <param name="client">The client every call goes through.</param>
    /// <param name="ownsClient">Whether <see cref="DisposeAsync"/> disposes <paramref name="client"/>.</param>
    public EtcdKeyValueStore(EtcdClient client, bool ownsClient)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _ownsClient = ownsClient;
    }

    /// <summary>
    /// The largest transaction sent, in bytes as etcd receives it: the cluster's <c>--max-request-bytes</c> (default
    /// 1.5 MiB). A larger one is refused before it is sent, as <see cref="StoreRequestTooLargeException"/>, exactly as
    /// the embedded store refuses it.
    /// </summary>
    public int MaxRequestBytes { get; init; } = StoreRequestTooLargeException.EtcdDefaultLimit;

    /// <summary>A store with a client of its own, built from <paramref name="options"/> (validated: invalid ones throw <see cref="ArgumentException"/>).</summary>
    public static EtcdKeyValueStore Create(EtcdClientOptions options, ILogger? logger = null, int maxRequestBytes = StoreRequestTooLargeException.EtcdDefaultLimit) =>
        new(new EtcdClient(options, logger), ownsClient: true) { MaxRequestBytes = maxRequestBytes };

    public async Task<GetResult> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ThrowIfDisposed();
        try
        {
            var response = await _client.RangeAsync(new Api.RangeRequest { Key = EtcdConvert.Key(key) }, cancellationToken).ConfigureAwait(false);
            var kv = response.Kvs.Count == 0 ? null : EtcdConvert.ToKeyValue(response.Kvs[0]);
            return new GetResult(kv, response.Header.Revision);
        }
        catch (EtcdException ex)
        {
            throw EtcdErrors.ToStoreException(ex);
        }
    }

    public async Task<RangeResult> RangeAsync(string prefix, long revision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(revision);
        ThrowIfDisposed();
        var (key, rangeEnd) = EtcdConvert.PrefixRange(prefix);
        try
        {
            var result = await _client.RangeAllAsync(key, rangeEnd, revision, RangePageSize, cancellationToken).ConfigureAwait(false);
            return new RangeResult(EtcdConvert.ToKeyValues(result.Kvs), result.Revision);
        }
        catch (EtcdFutureRevisionException ex)
        {
            throw await FutureRevisionAsync(revision, ex, cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdException ex)
        {
            throw EtcdErrors.ToStoreException(ex);
        }
    }

    public async Task CompactAsync(long revision, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(revision, 1);
        ThrowIfDisposed();
        try
        {
            await _client.CompactAsync(new Api.CompactionRequest { Revision = revision }, cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdFutureRevisionException ex)
        {
            throw await FutureRevisionAsync(revision, ex, cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdException ex)
        {
            throw EtcdErrors.ToStoreException(ex);
        }
    }

    public async Task<long> GetRevisionAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        try
        {
            return await ReadRevisionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdException ex)
        {
            throw EtcdErrors.ToStoreException(ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        if (_ownsClient)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A linearizable point read that returns no key, only the header: the current revision, whatever the store holds.</summary>
    private async Task<long> ReadRevisionAsync(CancellationToken cancellationToken)
    {
        var response = await _client.RangeAsync(new Api.RangeRequest { Key = EtcdConvert.RootKey, CountOnly = true }, cancellationToken).ConfigureAwait(false);
        return response.Header.Revision;
    }

    /// <summary>etcd does not say what its revision is when it refuses a future one; ask, for the exception's sake.</summary>
    private async Task<StoreFutureRevisionException> FutureRevisionAsync(long requested, EtcdFutureRevisionException error, CancellationToken cancellationToken)
    {
        try
        {
            return new StoreFutureRevisionException(requested, await ReadRevisionAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (EtcdException)
        {
            return new StoreFutureRevisionException(error.Message, error);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
