namespace Bbs.Store.Tests.Contract;

public abstract partial class KeyValueStoreContract
{
    [Fact]
    public async Task CompareAndSwapOnTheModRevisionWinsWhenTheKeyIsUnchanged()
    {
        var written = await PutAsync(Key("k"), "v1");

        var result = await Store.TxnAsync(
            TxnRequest.If(TxnCompare.ModRevisionIs(Key("k"), written)).Then(new PutOp(Key("k"), Bytes("v2"))).Else(new GetOp(Key("k"))),
            Ct);

        Assert.True(result.Succeeded);
        var op = Assert.Single(result.Results);
        Assert.Null(op.Kvs);
        var kv = await GetAsync(Key("k"));
        Assert.Equal("v2", Text(kv!));
        Assert.Equal(result.Revision, kv!.ModRevision);
    }

    [Fact]
    public async Task CompareAndSwapLosesWhenTheKeyChangedAndTheFailureBranchReadsTheCurrentValue()
    {
        var stale = await PutAsync(Key("k"), "v1");
        var current = await PutAsync(Key("k"), "v2");

        var result = await Store.TxnAsync(
            TxnRequest.If(TxnCompare.ModRevisionIs(Key("k"), stale)).Then(new PutOp(Key("k"), Bytes("lost"))).Else(new GetOp(Key("k"))),
            Ct);

        Assert.False(result.Succeeded);
        var kvs = Assert.Single(result.Results).Kvs;
        Assert.NotNull(kvs);
        var kv = Assert.Single(kvs);
        Assert.Equal("v2", Text(kv));
        Assert.Equal(current, kv.ModRevision);
        Assert.Equal("v2", Text((await GetAsync(Key("k")))!));
    }

    [Fact]
    public async Task CreateIfAbsentRacedByThirtyTwoCallersHasExactlyOneWinner()
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racers = Enumerable.Range(0, 32).Select(i => Task.Run(async () =>
        {
            await start.Task;
            var result = await Store.TxnAsync(TxnRequest.If(TxnCompare.Absent(Key("lock"))).Then(new PutOp(Key("lock"), Bytes($"owner-{i}"))), Ct);
            return (Owner: $"owner-{i}", result.Succeeded);
        })).ToList();

        start.SetResult();
        var outcomes = await Task.WhenAll(racers);

        var winner = Assert.Single(outcomes, o => o.Succeeded);
        var kv = await GetAsync(Key("lock"));
        Assert.Equal(winner.Owner, Text(kv!));
        Assert.Equal(1, kv!.Version);
    }

    [Fact]
    public async Task CompareAndSwapIncrementsFromConcurrentCallersLoseNoUpdate()
    {
        await PutAsync(Key("counter"), "0");

        async Task IncrementAsync(int times)
        {
            for (var done = 0; done < times;)
            {
                var kv = (await GetAsync(Key("counter")))!;
                var next = (int.Parse(Text(kv)) + 1).ToString();
                var result = await Store.TxnAsync(TxnRequest.If(TxnCompare.ModRevisionIs(kv.Key, kv.ModRevision)).Then(new PutOp(kv.Key, Bytes(next))), Ct);
                if (result.Succeeded)
                {
                    done++;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => IncrementAsync(25))));

        var counter = (await GetAsync(Key("counter")))!;
        Assert.Equal("200", Text(counter));
        Assert.Equal(201, counter.Version);
    }

    [Fact]
    public async Task AMultiKeyTransactionIsAtomicAtOneRevision()
    {
        await PutAsync(Key("gone"), "old");

        var result = await Store.TxnAsync(
            TxnRequest.If(TxnCompare.Absent(Key("x"))).Then(new PutOp(Key("x"), Bytes("1")), new PutOp(Key("y"), Bytes("2")), new DeleteOp(Key("gone"))),
            Ct);

        Assert.True(result.Succeeded);
        Assert.Equal([0L, 0L, 1L], result.Results.Select(r => r.Deleted));
        var after = await RangeAsync(Prefix, result.Revision);
        Assert.Equal([Key("x"), Key("y")], after.Select(kv => kv.Key));
        Assert.All(after, kv => Assert.Equal(result.Revision, kv.ModRevision));
        var before = await RangeAsync(Prefix, result.Revision - 1);
        Assert.Equal([Key("gone")], before.Select(kv => kv.Key));
    }

    [Fact]
    public async Task ReadersNeverSeeHalfOfATransaction()
    {
        // A token moves between two keys, one transaction per move: every read must find it in exactly one place.
        await PutAsync(Key("t/a"), "token");
        var moves = Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                var (from, to) = i % 2 == 0 ? (Key("t/a"), Key("t/b")) : (Key("t/b"), Key("t/a"));
                await Store.TxnAsync(TxnRequest.If(TxnCompare.Present(from)).Then(new DeleteOp(from), new PutOp(to, Bytes("token"))), Ct);
            }
        });

        var reads = 0;
        while (!moves.IsCompleted || reads == 0)
        {
            var range = await Store.RangeAsync(Key("t/"), 0, Ct);
            Assert.Single(range.Kvs);
            var txn = await Store.TxnAsync(TxnRequest.If().Then(new GetOp(Key("t/a")), new GetOp(Key("t/b"))), Ct);
            Assert.Equal(1, txn.Results.Sum(r => r.Kvs!.Count));
            reads++;
        }

        await moves;
    }

    [Fact]
    public async Task AGetInATransactionSeesTheWritesBeforeItInTheSameBranch()
    {
        await PutAsync(Key("p/old"), "old");

        var result = await Store.TxnAsync(
            TxnRequest.If().Then(new GetOp(Key("p/"), Prefix: true), new PutOp(Key("p/new"), Bytes("new")), new DeleteOp(Key("p/old")), new GetOp(Key("p/"), Prefix: true)),
            Ct);

        Assert.Equal([Key("p/old")], result.Results[0].Kvs!.Select(kv => kv.Key));
        var read = Assert.Single(result.Results[3].Kvs!);
        Assert.Equal(Key("p/new"), read.Key);
        Assert.Equal(result.Revision, read.ModRevision);
    }

    [Fact]
    public async Task AnAbsentKeyComparesAsZeroAndNeverMatchesAValueCompare()
    {
        var absent = Key("absent");

        async Task<bool> HoldsAsync(TxnCompare compare) => (await Store.TxnAsync(TxnRequest.If(compare), Ct)).Succeeded;

        Assert.True(await HoldsAsync(new TxnCompare(absent, CompareTarget.Version, CompareOp.Equal, 0)));
        Assert.True(await HoldsAsync(new TxnCompare(absent, CompareTarget.CreateRevision, CompareOp.Equal, 0)));
        Assert.True(await HoldsAsync(new TxnCompare(absent, CompareTarget.ModRevision, CompareOp.Less, 1)));
        Assert.True(await HoldsAsync(new TxnCompare(absent, CompareTarget.Lease, CompareOp.Equal, 0)));
        Assert.True(await HoldsAsync(TxnCompare.Absent(absent)));
        Assert.False(await HoldsAsync(TxnCompare.Present(absent)));
        Assert.False(await HoldsAsync(TxnCompare.ValueIs(absent, ReadOnlyMemory<byte>.Empty)));
        Assert.False(await HoldsAsync(new TxnCompare(absent, CompareTarget.Value, CompareOp.NotEqual, Value: Bytes("x"))));
        Assert.False(await HoldsAsync(new TxnCompare(absent, CompareTarget.Value, CompareOp.Greater, Value: ReadOnlyMemory<byte>.Empty)));
    }

    [Fact]
    public async Task ComparesApplyTheirOperatorToVersionRevisionsLeaseAndValue()
    {
        var created = await PutAsync(Key("k"), "b");
        var modified = await PutAsync(Key("k"), "m");
        var k = Key("k");

        async Task<bool> HoldsAsync(TxnCompare compare) => (await Store.TxnAsync(TxnRequest.If(compare), Ct)).Succeeded;

        Assert.True(await HoldsAsync(new TxnCompare(k, CompareTarget.Version, CompareOp.Equal, 2)));
        Assert.True(await HoldsAsync(new TxnCompare(k, CompareTarget.Version, CompareOp.Greater, 1)));
        Assert.False(await HoldsAsync(new TxnCompare(k, CompareTarget.Version, CompareOp.Less, 2)));
        Assert.True(await HoldsAsync(new TxnCompare(k, CompareTarget.Version, CompareOp.NotEqual, 3)));
        Assert.True(await HoldsAsync(new TxnCompare(k, CompareTarget.CreateRevision, CompareOp.Equal, created)));
        Assert.True(await HoldsAsync(new TxnCompare(k, CompareTarget.ModRevision, CompareOp.Greater, created)));
        Assert.False(await HoldsAsync(new TxnCompare(k, CompareTarget.ModRevision, CompareOp.NotEqual, modified)));
        Assert.True(await HoldsAsync(new TxnCompare(k, CompareTarget.Lease, CompareOp.Equal, 0)));
        Assert.True(await HoldsAsync(TxnCompare.ValueIs(k, Bytes("m"))));
        Assert.True(await HoldsAsync(new TxnCompare(k, CompareTarget.Value, CompareOp.Greater, Value: Bytes("l"))));
        Assert.True(await HoldsAsync(new TxnCompare(k, CompareTarget.Value, CompareOp.Less, Value: Bytes("ma"))));
        Assert.True(await HoldsAsync(new TxnCompare(k, CompareTarget.Value, CompareOp.NotEqual, Value: Bytes("M"))));
        Assert.False(await HoldsAsync(new TxnCompare(k, CompareTarget.Value, CompareOp.Greater, Value: Bytes("m"))));

        // All compares must hold for the success branch to run.
        var mixed = await Store.TxnAsync(
            TxnRequest.If(TxnCompare.Present(k), TxnCompare.Present(Key("absent"))).Then(new PutOp(k, Bytes("no"))).Else(new PutOp(Key("else"), Bytes("yes"))),
            Ct);
        Assert.False(mixed.Succeeded);
        Assert.Equal("m", Text((await GetAsync(k))!));
        Assert.Equal("yes", Text((await GetAsync(Key("else")))!));
    }

    [Fact]
    public async Task APutWithALeaseThatDoesNotExistRefusesTheWholeTransaction()
    {
        var lease = await Store.GrantLeaseAsync(60, Ct);
        Assert.True(await Store.RevokeLeaseAsync(lease, Ct));

        var refused = await Assert.ThrowsAsync<StoreLeaseNotFoundException>(() => Store.TxnAsync(
            TxnRequest.If().Then(new PutOp(Key("plain"), Bytes("v")), new PutOp(Key("leased"), Bytes("v"), lease)),
            Ct));

        Assert.Empty(await RangeAsync(Prefix));
        Assert.Equal(lease, refused.LeaseId);
    }

    [Fact]
    public async Task OnlyTheBranchThatRunsNeedsItsLeasesToExist()
    {
        var result = await Store.TxnAsync(
            TxnRequest.If(TxnCompare.Absent(Key("k"))).Then(new PutOp(Key("k"), Bytes("v"))).Else(new PutOp(Key("k"), Bytes("v"), Lease: 987_654_321)),
            Ct);

        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task ABranchThatWritesOneKeyTwiceIsRefused()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.TxnAsync(
            TxnRequest.If().Then(new PutOp(Key("k"), Bytes("1")), new PutOp(Key("k"), Bytes("2"))),
            Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.TxnAsync(
            TxnRequest.If().Then(new DeletePrefixOp(Key("p/")), new PutOp(Key("p/k"), Bytes("1"))),
            Ct));

        Assert.Empty(await RangeAsync(Prefix));
    }
}
