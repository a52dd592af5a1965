using System.Runtime.CompilerServices;
using Bbs.Store.View;
using Bbs.Testing.Store;

namespace Bbs.Store.Tests.Contract;

/// <summary>The watch-fed <see cref="KeyValueView"/> on each store: one read path for both.</summary>
public abstract partial class KeyValueStoreContract
{
    [Fact]
    public async Task AViewLoadsItsPrefixAndEveryReadSeesTheWritesAcknowledgedBeforeIt()
    {
        await PutAsync(Key("a"), "1");
        await PutAsync(Key("b"), "2");
        await using var view = StartView();

        var first = await view.ReadAsync(Ct);
        var txn = await Store.TxnAsync(TxnRequest.If().Then(new PutOp(Key("c"), Bytes("3")), new DeleteOp(Key("a")), new PutOp(Key("b"), Bytes("2b"))), Ct);
        var second = await view.ReadAsync(Ct);

        Assert.Equal(["1", "2"], first.Range(Prefix).Kvs.Select(Text));
        Assert.True(second.Revision >= txn.Revision, $"read at {second.Revision}, after a write at {txn.Revision}");
        Assert.Equal([Key("b"), Key("c")], second.Range(Prefix).Kvs.Select(kv => kv.Key));
        Assert.Equal("2b", Text(second.Get(Key("b"))!));
        Assert.Equal(txn.Revision, second.Get(Key("c"))!.ModRevision);
        Assert.Null(second.Get(Key("a")));
    }

    [Fact]
    public async Task AViewSnapshotStaysWholeAtItsRevisionWhileWritesGoOn()
    {
        await using var view = StartView();
        var before = await view.ReadAsync(Ct);

        // Two keys in one transaction appear together or not at all, in every snapshot.
        for (int i = 0; i < 20; i++)
        {
            await Store.TxnAsync(TxnRequest.If().Then(new PutOp(Key($"pair{i:D2}/x"), Bytes("x")), new PutOp(Key($"pair{i:D2}/y"), Bytes("y"))), Ct);
            var snapshot = view.Current!;
            var pairs = snapshot.Range(Prefix).Kvs.GroupBy(kv => kv.Key[..^1]).Select(g => g.Count()).ToList();
            Assert.All(pairs, count => Assert.Equal(2, count));
        }

        var after = await view.ReadAsync(Ct);

        Assert.Empty(before.Range(Prefix).Kvs);
        Assert.Equal(40, after.Range(Prefix).Kvs.Count);
    }

    [Fact]
    public async Task WritesOutsideAViewsPrefixStillMoveItsRevisionSoReadsDoNotWait()
    {
        await using var view = StartView(Key("inside/"));
        await view.ReadAsync(Ct);

        long outside = await PutAsync(Key("outside"), "x");
        var snapshot = await view.ReadAsync(Ct);

        Assert.True(snapshot.Revision >= outside);
        Assert.Empty(snapshot.Range(Key("inside/")).Kvs);
        Assert.Null(snapshot.Get(Key("outside")));
    }

    [Fact]
    public async Task AViewWhoseWatchCannotResumeLoadsAgainAndServesNothingStale()
    {
        await PutAsync(Key("k"), "before");
        var failing = new WatchFailsOnce(Store);
        await using var view = new KeyValueView(failing, Prefix) { ReadTimeout = Patience };
        view.Start();
        await failing.Failed.Task.WaitAsync(Patience);

        await PutAsync(Key("k"), "after");
        var snapshot = await view.ReadAsync(Ct);

        Assert.Equal("after", Text(snapshot.Get(Key("k"))!));
        Assert.Equal(2, view.Loads);
    }

    [Fact]
    public async Task ConcurrentViewReadsShareTheRevisionCall()
    {
        var slow = new SlowRevision(Store);
        await using var view = new KeyValueView(slow, Prefix) { ReadTimeout = Patience };
        view.Start();
        await view.ReadAsync(Ct);
        int before = slow.Calls;

        long written = await PutAsync(Key("k"), "v");
        var reads = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => view.ReadAsync(Ct)));

        // One call may be under way when the burst starts; all the others share the one queued after it.
        Assert.InRange(slow.Calls - before, 1, 2);
        Assert.All(reads, r => Assert.True(r.Revision >= written));
    }

    private KeyValueView StartView(string? prefix = null)
    {
        var view = new KeyValueView(Store, prefix ?? Prefix) { ReadTimeout = Patience };
        view.Start();
        return view;
    }

    /// <summary>The store, with a revision call that takes 200 ms and is counted.</summary>
    private sealed class SlowRevision(IKeyValueStore inner) : StoreDecorator(inner)
    {
        private int calls;

        public int Calls => Volatile.Read(ref calls);

        public override async Task<long> GetRevisionAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref calls);
            await Task.Delay(200, cancellationToken);
            return await base.GetRevisionAsync(cancellationToken);
        }
    }

    /// <summary>The store, except that its first watch fails as if its start revision had been compacted.</summary>
    private sealed class WatchFailsOnce(IKeyValueStore inner) : StoreDecorator(inner)
    {
        private int watches;

        public TaskCompletionSource Failed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override IAsyncEnumerable<WatchBatch> WatchAsync(string prefix, long startRevision, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref watches) == 1 ? FailAsync(startRevision, cancellationToken) : base.WatchAsync(prefix, startRevision, cancellationToken);

        private async IAsyncEnumerable<WatchBatch> FailAsync(long startRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            Failed.TrySetResult();
            throw new StoreCompactedException(startRevision + 1);
#pragma warning disable CS0162 // an iterator needs a yield to be one
            yield break;
#pragma warning restore CS0162
        }
    }
}
