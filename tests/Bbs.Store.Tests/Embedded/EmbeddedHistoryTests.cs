using Bbs.Store.Embedded;

namespace Bbs.Store.Tests.Embedded;

/// <summary>The bounded history, the watchers that pull from it, and ranges at scale.</summary>
public sealed class EmbeddedHistoryTests
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task TheHistoryLimitCompactsOlderRevisionsAutomatically()
    {
        await using var store = new EmbeddedKeyValueStore(new EmbeddedKeyValueStoreOptions { HistoryLimit = 10 });
        for (var i = 0; i < 30; i++)
        {
            await PutAsync(store, "/k", i);
        }

        // Value i was written at revision i + 2; revision 31 now, and the last 10 revisions (22..31) are kept.
        Assert.Equal(31, await store.GetRevisionAsync(Ct));
        var compacted = await Assert.ThrowsAsync<StoreCompactedException>(() => store.RangeAsync("/", 21, Ct));
        Assert.Equal(22, compacted.CompactRevision);
        Assert.Equal("20", Value((await store.RangeAsync("/", 22, Ct)).Kvs[0]));
        await Assert.ThrowsAsync<StoreCompactedException>(() => store.CompactAsync(22, Ct));
        await Assert.ThrowsAsync<StoreCompactedException>(() => FirstBatchAsync(store, 21));
        Assert.Equal(22, (await FirstBatchAsync(store, 22)).Revision);
    }

    [Fact]
    public async Task ExplicitCompactionKeepsTheCompactedRevisionAndRefusesAFutureOne()
    {
        await using var store = new EmbeddedKeyValueStore();
        await PutAsync(store, "/k", 1);
        await PutAsync(store, "/k", 2);

        await Assert.ThrowsAsync<StoreFutureRevisionException>(() => store.CompactAsync(4, Ct));
        await store.CompactAsync(3, Ct);

        await Assert.ThrowsAsync<StoreCompactedException>(() => store.RangeAsync("/", 2, Ct));
        await Assert.ThrowsAsync<StoreCompactedException>(() => store.CompactAsync(3, Ct));
        var batch = await FirstBatchAsync(store, 3);
        Assert.Equal("1", Value(Assert.Single(batch.Events).PrevKv!));
    }

    [Fact]
    public async Task ASlowWatcherNeitherBlocksWritersNorEscapesCompaction()
    {
        await using var store = new EmbeddedKeyValueStore(new EmbeddedKeyValueStoreOptions { HistoryLimit = 100 });
        await using var watch = store.WatchAsync("/", 0, Ct).GetAsyncEnumerator(Ct);
        var first = watch.MoveNextAsync().AsTask();
        await PutAsync(store, "/k", -1);
        Assert.True(await first.WaitAsync(TimeSpan.FromSeconds(5)));

        // The watcher has read revision 2 and now stops reading while 10,000 writes go through.
        var writes = Task.Run(async () =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                await PutAsync(store, "/k", i);
            }
        });
        await writes.WaitAsync(TimeSpan.FromSeconds(30));

        await Assert.ThrowsAsync<StoreCompactedException>(async () => await watch.MoveNextAsync());
    }

    [Fact]
    public async Task AWatcherThatKeepsUpSeesEveryRevisionInOrderWhileWritersRun()
    {
        await using var store = new EmbeddedKeyValueStore(new EmbeddedKeyValueStoreOptions { HistoryLimit = 1_000_000 });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<long>();
        var reader = Task.Run(async () =>
        {
            await foreach (var batch in store.WatchAsync("/", 2, stop.Token))
            {
                seen.Add(batch.Revision);
                if (batch.Revision == 2001)
                {
                    return;
                }
            }
        });

        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 500; i++)
            {
                await PutAsync(store, $"/w{w}", i);
            }
        })));
        await reader.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Enumerable.Range(2, 2000).Select(r => (long)r), seen);
    }

    [Fact]
    public async Task DisposingTheStoreEndsItsWatches()
    {
        var store = new EmbeddedKeyValueStore();
        var watch = store.WatchAsync("/", 0, Ct).GetAsyncEnumerator(Ct);
        var waiting = watch.MoveNextAsync().AsTask();

        await store.DisposeAsync();

        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        await watch.DisposeAsync();
    }

    [Fact]
    public async Task AHundredThousandKeyPrefixRangeReturnsEveryKeyInOrder()
    {
        await using var store = new EmbeddedKeyValueStore();
        var keys = Enumerable.Range(0, 100_000).Select(i => $"/big/{i:x5}").ToArray();
        var shuffled = keys.ToArray();
        new Random(7).Shuffle(shuffled);
        foreach (var chunk in shuffled.Chunk(128))
        {
            await store.TxnAsync(TxnRequest.If().Then(chunk.Select(k => (TxnOp)new PutOp(k, "v"u8.ToArray())).ToArray()), Ct);
        }

        await PutAsync(store, "/bif", 0);
        await PutAsync(store, "/big", 0);
        await PutAsync(store, "/bigger/1", 0);

        var all = await store.RangeAsync("/big/", 0, Ct);
        var few = await store.RangeAsync("/big/0000", 0, Ct);

        Assert.Equal(keys, all.Kvs.Select(kv => kv.Key));
        Assert.Equal(keys[..16], few.Kvs.Select(kv => kv.Key));
        Assert.Equal(100_003, (await store.RangeAsync("/", 0, Ct)).Kvs.Count);
    }

    private static async Task<WatchBatch> FirstBatchAsync(EmbeddedKeyValueStore store, long from)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await foreach (var batch in store.WatchAsync("/", from, timeout.Token))
        {
            return batch;
        }

        throw new InvalidOperationException("the watch ended");
    }

    private static Task<TxnResult> PutAsync(EmbeddedKeyValueStore store, string key, int value) =>
        store.TxnAsync(TxnRequest.If().Then(new PutOp(key, System.Text.Encoding.UTF8.GetBytes(value.ToString()))), Ct);

    private static string Value(KeyValue kv) => System.Text.Encoding.UTF8.GetString(kv.Value.Span);
}
