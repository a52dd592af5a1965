using Bbs.Store.Embedded;

namespace Bbs.Store.Tests.Embedded;

/// <summary>What only a private store can show: the exact revision arithmetic, with no other writers.</summary>
public sealed class EmbeddedRevisionTests : IAsyncDisposable
{
    private readonly EmbeddedKeyValueStore _store = new();

    private static CancellationToken Ct => CancellationToken.None;

    public ValueTask DisposeAsync() => _store.DisposeAsync();

    [Fact]
    public async Task AnEmptyStoreIsAtRevisionOneAndEachWriteTransactionAddsExactlyOne()
    {
        Assert.Equal(1, await _store.GetRevisionAsync(Ct));

        var first = await _store.TxnAsync(TxnRequest.If().Then(new PutOp("/a", "1"u8.ToArray())), Ct);
        var many = await _store.TxnAsync(TxnRequest.If().Then(new PutOp("/b", "2"u8.ToArray()), new PutOp("/c", "3"u8.ToArray()), new DeleteOp("/a")), Ct);
        var prefix = await _store.TxnAsync(TxnRequest.If().Then(new DeletePrefixOp("/")), Ct);

        Assert.Equal([2L, 3L, 4L], [first.Revision, many.Revision, prefix.Revision]);
        Assert.Equal(4, await _store.GetRevisionAsync(Ct));
        Assert.Equal(4, (await _store.GetAsync("/a", Ct)).Revision);
    }

    [Fact]
    public async Task ReadOnlyTransactionsAndDeletesOfAbsentKeysLeaveTheRevisionAlone()
    {
        await _store.TxnAsync(TxnRequest.If().Then(new PutOp("/a", "1"u8.ToArray())), Ct);

        var read = await _store.TxnAsync(TxnRequest.If(TxnCompare.Present("/a")).Then(new GetOp("/a")), Ct);
        var lost = await _store.TxnAsync(TxnRequest.If(TxnCompare.Absent("/a")).Then(new PutOp("/a", "x"u8.ToArray())).Else(new GetOp("/", Prefix: true)), Ct);
        var noop = await _store.TxnAsync(TxnRequest.If().Then(new DeleteOp("/absent"), new DeletePrefixOp("/none/")), Ct);

        Assert.Equal([2L, 2L, 2L], [read.Revision, lost.Revision, noop.Revision]);
        Assert.False(lost.Succeeded);
        Assert.Equal(2, await _store.GetRevisionAsync(Ct));
    }

    [Fact]
    public async Task LeaseOperationsWriteARevisionOnlyWhenTheyDeleteKeys()
    {
        var empty = await _store.GrantLeaseAsync(60, Ct);
        var used = await _store.GrantLeaseAsync(60, Ct);
        await _store.KeepAliveOnceAsync(used, Ct);
        Assert.Equal(1, await _store.GetRevisionAsync(Ct));

        await _store.TxnAsync(TxnRequest.If().Then(new PutOp("/x", "1"u8.ToArray(), used), new PutOp("/y", "2"u8.ToArray(), used)), Ct);
        Assert.True(await _store.RevokeLeaseAsync(empty, Ct));
        Assert.Equal(2, await _store.GetRevisionAsync(Ct));

        Assert.True(await _store.RevokeLeaseAsync(used, Ct));
        Assert.Equal(3, await _store.GetRevisionAsync(Ct));
        Assert.Empty((await _store.RangeAsync("/", 0, Ct)).Kvs);
    }

    [Fact]
    public async Task ATransactionWithMoreOpsThanTheLimitIsRefusedLikeEtcdsMaxTxnOps()
    {
        await using var store = new EmbeddedKeyValueStore(new EmbeddedKeyValueStoreOptions { MaxTxnOps = 3 });
        var ops = Enumerable.Range(0, 4).Select(i => (TxnOp)new PutOp($"/k{i}", "v"u8.ToArray())).ToArray();

        await Assert.ThrowsAsync<ArgumentException>(() => store.TxnAsync(TxnRequest.If().Then(ops), Ct));
        await store.TxnAsync(TxnRequest.If().Then(ops[..3]), Ct);
        Assert.Equal(3, (await store.RangeAsync("/", 0, Ct)).Kvs.Count);
    }

    [Fact]
    public async Task ARangeAtEveryPastRevisionMatchesWhatWasReadAtThatRevision()
    {
        var random = new Random(1234);
        var seen = new Dictionary<long, string>();
        string[] keys = ["/m/a", "/m/b", "/m/b/c", "/m/d", "/other"];
        var lease = await _store.GrantLeaseAsync(3600, Ct);
        for (var step = 0; step < 300; step++)
        {
            var key = keys[random.Next(keys.Length)];
            TxnOp op = random.Next(4) switch
            {
                0 => new DeleteOp(key),
                1 => new DeletePrefixOp(key),
                2 => new PutOp(key, BitConverter.GetBytes(step), lease),
                _ => new PutOp(key, BitConverter.GetBytes(step)),
            };
            await _store.TxnAsync(TxnRequest.If().Then(op), Ct);
            var now = await _store.RangeAsync("/m/", 0, Ct);
            seen[now.Revision] = Describe(now.Kvs);
        }

        foreach (var (revision, expected) in seen)
        {
            Assert.Equal(expected, Describe((await _store.RangeAsync("/m/", revision, Ct)).Kvs));
        }
    }

    [Fact]
    public async Task ARangeAtAFutureRevisionNamesBothRevisions()
    {
        var refused = await Assert.ThrowsAsync<StoreFutureRevisionException>(() => _store.RangeAsync("/", 5, Ct));

        Assert.Equal((5L, 1L), (refused.RequestedRevision, refused.CurrentRevision));
    }

    [Fact]
    public async Task CallsAfterDisposeAreRefused()
    {
        await _store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => _store.GetAsync("/a", Ct));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _store.TxnAsync(TxnRequest.If(), Ct));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _store.GrantLeaseAsync(1, Ct));
    }

    [Fact]
    public void OptionsOutOfRangeAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new EmbeddedKeyValueStore(new EmbeddedKeyValueStoreOptions { HistoryLimit = 0 }));
        Assert.Throws<ArgumentException>(() => new EmbeddedKeyValueStore(new EmbeddedKeyValueStoreOptions { MaxTxnOps = 0 }));
        Assert.Throws<ArgumentException>(() => new EmbeddedKeyValueStore(new EmbeddedKeyValueStoreOptions { LeaseCheckInterval = TimeSpan.FromSeconds(-1) }));
    }

    private static string Describe(IReadOnlyList<KeyValue> kvs) =>
        string.Join(" ", kvs.Select(kv => $"{kv.Key}={Convert.ToHexString(kv.Value.Span)}@{kv.CreateRevision}/{kv.ModRevision}/v{kv.Version}/l{kv.Lease}"));
}
