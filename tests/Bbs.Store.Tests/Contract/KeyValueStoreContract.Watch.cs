namespace Bbs.Store.Tests.Contract;

public abstract partial class KeyValueStoreContract
{
    [Fact]
    public async Task AWatchSeesPutsUpdatesAndDeletesWithTheirPreviousValues()
    {
        var start = await Store.GetRevisionAsync(Ct) + 1;
        await using var watch = Watch(Prefix, start);

        var created = await PutAsync(Key("k"), "v1");
        var updated = await PutAsync(Key("k"), "v2");
        var deleted = await DeleteAsync(Key("k"));

        var events = await watch.NextEventsAsync(3);
        AssertPut(events[0], Key("k"), "v1", previous: null);
        Assert.Equal((created, created, 1L), (events[0].Kv.CreateRevision, events[0].Kv.ModRevision, events[0].Kv.Version));
        AssertPut(events[1], Key("k"), "v2", previous: "v1");
        Assert.Equal((created, updated, 2L), (events[1].Kv.CreateRevision, events[1].Kv.ModRevision, events[1].Kv.Version));
        Assert.Equal(created, events[1].PrevKv!.ModRevision);
        AssertDelete(events[2], Key("k"), "v2");
        Assert.Equal(deleted, events[2].Kv.ModRevision);
        Assert.Equal(updated, events[2].PrevKv!.ModRevision);
    }

    [Fact]
    public async Task TheEventsOfOneTransactionArriveInOneBatchInTheirOrder()
    {
        var start = await PutAsync(Key("c"), "old") + 1;
        await using var watch = Watch(Prefix, start);

        var result = await Store.TxnAsync(
            TxnRequest.If().Then(new PutOp(Key("b"), Bytes("b")), new PutOp(Key("a"), Bytes("a")), new DeleteOp(Key("c"))),
            Ct);

        var batch = await watch.NextBatchAsync();
        Assert.Equal(3, batch.Events.Count);
        AssertPut(batch.Events[0], Key("b"), "b", previous: null);
        AssertPut(batch.Events[1], Key("a"), "a", previous: null);
        AssertDelete(batch.Events[2], Key("c"), "old");
        Assert.All(batch.Events, e => Assert.Equal(result.Revision, e.Kv.ModRevision));
        Assert.True(batch.Revision >= result.Revision);
    }

    [Fact]
    public async Task AWatchFromAPastRevisionReplaysExactlyTheEventsSinceThen()
    {
        await PutAsync(Key("a"), "a1");
        var from = await PutAsync(Key("b"), "b1");
        await DeleteAsync(Key("a"));
        await PutAsync(Key("c"), "c1");

        await using var watch = Watch(Prefix, from);
        var replayed = await watch.NextEventsAsync(3);
        await PutAsync(Key("sentinel"), "s");
        var next = await watch.NextEventsAsync(1);

        AssertPut(replayed[0], Key("b"), "b1", previous: null);
        Assert.Equal(from, replayed[0].Kv.ModRevision);
        AssertDelete(replayed[1], Key("a"), "a1");
        AssertPut(replayed[2], Key("c"), "c1", previous: null);
        AssertPut(next[0], Key("sentinel"), "s", previous: null);
    }

    [Fact]
    public async Task AWatchOnAPrefixIgnoresKeysOutsideIt()
    {
        var start = await Store.GetRevisionAsync(Ct) + 1;
        await using var watch = Watch(Key("x/"), start);

        await PutAsync(Key("y/1"), "other prefix");
        await PutAsync(Key("x"), "the prefix without its slash");
        await PutAsync(Key("x1"), "a sibling");
        await PutAsync(Key("x/1"), "mine");

        var batch = await watch.NextBatchAsync();
        var change = Assert.Single(batch.Events);
        AssertPut(change, Key("x/1"), "mine", previous: null);
    }

    [Fact]
    public async Task LeaseExpiryIsSeenAsDeletesWithThePreviousValues()
    {
        var lease = await Store.GrantLeaseAsync(1, Ct);
        await PutAsync(Key("leased/1"), "1", lease);
        var start = await PutAsync(Key("leased/2"), "2", lease) + 1;
        await using var watch = Watch(Prefix, start);

        var deletes = await watch.NextEventsAsync(2, Patience);

        AssertDelete(deletes[0], Key("leased/1"), "1");
        AssertDelete(deletes[1], Key("leased/2"), "2");
        Assert.Equal(lease, deletes[0].PrevKv!.Lease);
        Assert.Equal(deletes[0].Kv.ModRevision, deletes[1].Kv.ModRevision);
    }

    [Fact]
    public async Task AWatchFromZeroStartsAfterTheCurrentRevision()
    {
        await PutAsync(Key("before"), "already there");
        await using var watch = Watch(Prefix, 0);

        // The watch may be set up a little after it was asked for, so keep writing until it sees something.
        WatchEvent? first = null;
        for (var i = 0; first is null && i < 50; i++)
        {
            await PutAsync(Key("after"), $"v{i}");
            try
            {
                first = (await watch.NextEventsAsync(1, TimeSpan.FromMilliseconds(200)))[0];
            }
            catch (TimeoutException)
            {
            }
        }

        Assert.NotNull(first);
        Assert.Equal(Key("after"), first.Kv.Key);
    }

    [Fact]
    public async Task AWatchFromACompactedRevisionThrowsStoreCompactedException()
    {
        var old = await PutAsync(Key("k"), "v1");
        var kept = await PutAsync(Key("k"), "v2");
        await Store.CompactAsync(kept, Ct);

        await using var compacted = Watch(Prefix, old);
        var ended = await compacted.EndAsync();

        var exception = Assert.IsType<StoreCompactedException>(ended);
        Assert.True(exception.CompactRevision >= kept);
    }

    [Fact]
    public async Task CompactionKeepsTheCompactedRevisionReadableAndRefusesOlderOnes()
    {
        var old = await PutAsync(Key("k"), "v1");
        var kept = await PutAsync(Key("k"), "v2");

        await Store.CompactAsync(kept, Ct);

        await Assert.ThrowsAsync<StoreCompactedException>(() => Store.RangeAsync(Prefix, old, Ct));
        Assert.Equal("v2", Text(Assert.Single(await RangeAsync(Prefix, kept))));
        await using var watch = Watch(Prefix, kept);
        var replayed = (await watch.NextEventsAsync(1))[0];

        // etcd reads a replayed event's previous value at the revision before it, which is compacted here,
        // so whether it is still known is left open.
        Assert.Equal((WatchEventType.Put, Key("k"), "v2"), (replayed.Type, replayed.Kv.Key, Text(replayed.Kv)));
        await Assert.ThrowsAsync<StoreCompactedException>(() => Store.CompactAsync(kept, Ct));
        await Assert.ThrowsAsync<StoreFutureRevisionException>(() => Store.CompactAsync(kept + 1_000_000, Ct));
    }

    [Fact]
    public async Task CancellingTheTokenEndsTheWatchWithOperationCanceledException()
    {
        using var cancel = new CancellationTokenSource();
        var start = await Store.GetRevisionAsync(Ct) + 1;
        await using var watch = Store.WatchAsync(Prefix, start, cancel.Token).GetAsyncEnumerator(cancel.Token);

        await PutAsync(Key("k"), "v");
        Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(Patience));
        var waiting = watch.MoveNextAsync().AsTask();
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Patience));
    }
}
