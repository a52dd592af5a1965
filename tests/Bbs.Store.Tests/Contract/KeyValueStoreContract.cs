using System.Text;

namespace Bbs.Store.Tests.Contract;

/// <summary>
/// The behaviour every <see cref="IKeyValueStore"/> must have: etcd v3's. Each implementation runs the same
/// facts through a subclass that supplies a store (<c>EmbeddedKeyValueStoreContractTests</c>,
/// <c>EtcdKeyValueStoreContractTests</c>).
/// </summary>
/// <remarks>
/// The store may be shared with other tests and other processes (one etcd for the whole run). So every
/// fact touches only keys under its own <see cref="Prefix"/>, never assumes the revision starts at 1 or
/// that a write moves the global revision by exactly one, and compacts only at a revision it wrote itself.
/// Lease expiry runs on the store's real clock: facts use TTLs of 1-2 seconds (etcd may raise them to its
/// minimum TTL) and poll for up to <see cref="Patience"/>.
/// </remarks>
public abstract partial class KeyValueStoreContract : IAsyncLifetime, IDisposable
{
    /// <summary>How long a fact waits for something asynchronous (an expiry, a watch event) before failing.</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(1));
    private IKeyValueStore? _store;
    private string? _prefix;

    protected IKeyValueStore Store => _store ?? throw new InvalidOperationException("the store is created in InitializeAsync");

    /// <summary>The key prefix that belongs to this fact alone.</summary>
    protected string Prefix => _prefix ?? throw new InvalidOperationException("the prefix is chosen in InitializeAsync");

    /// <summary>Cancels every store call of a fact that hangs, so that it fails instead of stalling the run.</summary>
    protected CancellationToken Ct => _timeout.Token;

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        _prefix = CreatePrefix();
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            try
            {
                // Leave a shared store as it was found.
                await _store.TxnAsync(TxnRequest.If().Then(new DeletePrefixOp(Prefix)), CancellationToken.None);
            }
            catch (Exception e) when (e is StoreException or ObjectDisposedException)
            {
            }

            await _store.DisposeAsync();
        }
    }

    public void Dispose()
    {
        _timeout.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A store for one fact. It may hold other keys and any history.</summary>
    protected abstract Task<IKeyValueStore> CreateStoreAsync();

    /// <summary>A prefix no other fact or run uses.</summary>
    protected virtual string CreatePrefix() => $"/bbs-store-contract/{Guid.NewGuid():N}/";

    protected static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Text(KeyValue kv) => Encoding.UTF8.GetString(kv.Value.Span);

    /// <summary>Polls <paramref name="condition"/> until it holds or <see cref="Patience"/> runs out.</summary>
    protected static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            if (await condition())
            {
                return true;
            }

            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(100);
        }
    }

    protected string Key(string name) => Prefix + name;

    /// <summary>Puts one key and returns the revision of the write.</summary>
    protected async Task<long> PutAsync(string key, string value, long lease = 0)
    {
        var result = await Store.TxnAsync(TxnRequest.If().Then(new PutOp(key, Bytes(value), lease)), Ct);
        return result.Revision;
    }

    /// <summary>Deletes one key and returns the revision after the delete.</summary>
    protected async Task<long> DeleteAsync(string key)
    {
        var result = await Store.TxnAsync(TxnRequest.If().Then(new DeleteOp(key)), Ct);
        Assert.Equal(1, result.Results[0].Deleted);
        return result.Revision;
    }

    protected async Task<KeyValue?> GetAsync(string key) => (await Store.GetAsync(key, Ct)).Kv;

    protected async Task<IReadOnlyList<KeyValue>> RangeAsync(string prefix, long revision = 0) => (await Store.RangeAsync(prefix, revision, Ct)).Kvs;

    protected WatchProbe Watch(string prefix, long startRevision) => WatchProbe.Start(Store, prefix, startRevision);

    protected static void AssertPut(WatchEvent change, string key, string value, string? previous)
    {
        Assert.Equal(WatchEventType.Put, change.Type);
        Assert.Equal(key, change.Kv.Key);
        Assert.Equal(value, Text(change.Kv));
        Assert.Equal(previous, change.PrevKv is null ? null : Text(change.PrevKv));
    }

    protected static void AssertDelete(WatchEvent change, string key, string previous)
    {
        Assert.Equal(WatchEventType.Delete, change.Type);
        Assert.Equal(key, change.Kv.Key);
        Assert.True(change.Kv.Value.IsEmpty);
        Assert.NotNull(change.PrevKv);
        Assert.Equal(key, change.PrevKv.Key);
        Assert.Equal(previous, Text(change.PrevKv));
    }
}
