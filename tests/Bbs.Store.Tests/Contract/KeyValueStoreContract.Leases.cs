namespace Bbs.Store.Tests.Contract;

public abstract partial class KeyValueStoreContract
{
    [Fact]
    public async Task AKeyPutWithALeaseCarriesItsId()
    {
        var lease = await Store.GrantLeaseAsync(60, Ct);

        await PutAsync(Key("k"), "v", lease);

        Assert.Equal(lease, (await GetAsync(Key("k")))!.Lease);
        Assert.True((await Store.TxnAsync(TxnRequest.If(new TxnCompare(Key("k"), CompareTarget.Lease, CompareOp.Equal, lease)), Ct)).Succeeded);
        await Store.RevokeLeaseAsync(lease, Ct);
    }

    [Fact]
    public async Task RevokingALeaseDeletesItsKeysInOneRevisionAndNoOthers()
    {
        var lease = await Store.GrantLeaseAsync(60, Ct);
        await PutAsync(Key("leased/1"), "1", lease);
        var lastLeased = await PutAsync(Key("leased/2"), "2", lease);
        await PutAsync(Key("plain"), "p");
        await using var watch = Watch(Key("leased/"), lastLeased + 1);

        Assert.True(await Store.RevokeLeaseAsync(lease, Ct));

        Assert.Equal([Key("plain")], (await RangeAsync(Prefix)).Select(kv => kv.Key));
        var deletes = await watch.NextEventsAsync(2);
        AssertDelete(deletes[0], Key("leased/1"), "1");
        AssertDelete(deletes[1], Key("leased/2"), "2");
        Assert.Equal(deletes[0].Kv.ModRevision, deletes[1].Kv.ModRevision);
    }

    [Fact]
    public async Task RevokingALeaseThatDoesNotExistReturnsFalse()
    {
        var lease = await Store.GrantLeaseAsync(60, Ct);
        Assert.True(await Store.RevokeLeaseAsync(lease, Ct));

        Assert.False(await Store.RevokeLeaseAsync(lease, Ct));
        Assert.Equal(-1, await Store.TimeToLiveAsync(lease, Ct));
        Assert.Equal(0, await Store.KeepAliveOnceAsync(lease, Ct));
    }

    [Fact]
    public async Task OverwritingAKeyWithoutALeaseDetachesItFromTheLease()
    {
        var lease = await Store.GrantLeaseAsync(60, Ct);
        await PutAsync(Key("k"), "leased", lease);
        await PutAsync(Key("k"), "plain");

        await Store.RevokeLeaseAsync(lease, Ct);

        var kv = await GetAsync(Key("k"));
        Assert.NotNull(kv);
        Assert.Equal("plain", Text(kv));
        Assert.Equal(0, kv.Lease);
    }

    [Fact]
    public async Task TimeToLiveReportsTheRemainingWholeSecondsOfALiveLease()
    {
        var lease = await Store.GrantLeaseAsync(30, Ct);

        var ttl = await Store.TimeToLiveAsync(lease, Ct);

        Assert.InRange(ttl, 25, 30);
        await Store.RevokeLeaseAsync(lease, Ct);
    }

    [Fact]
    public async Task AnExpiredLeaseDeletesItsKeysAndIsGone()
    {
        var lease = await Store.GrantLeaseAsync(1, Ct);
        await PutAsync(Key("leased"), "v", lease);
        await PutAsync(Key("plain"), "p");

        Assert.True(await EventuallyAsync(async () => await GetAsync(Key("leased")) is null), "the leased key outlived its lease");

        Assert.NotNull(await GetAsync(Key("plain")));
        Assert.Equal(-1, await Store.TimeToLiveAsync(lease, Ct));
        Assert.Equal(0, await Store.KeepAliveOnceAsync(lease, Ct));
        Assert.False(await Store.RevokeLeaseAsync(lease, Ct));
        await Assert.ThrowsAsync<StoreLeaseNotFoundException>(() => PutAsync(Key("late"), "v", lease));
    }

    [Fact]
    public async Task KeepingALeaseAliveKeepsItsKeysPastTheTtl()
    {
        var lease = await Store.GrantLeaseAsync(2, Ct);
        var granted = await Store.TimeToLiveAsync(lease, Ct);
        await PutAsync(Key("k"), "v", lease);

        // Renew every half second for well over the (possibly raised) TTL.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(Math.Max(granted, 2) + 2);
        while (DateTime.UtcNow < until)
        {
            Assert.True(await Store.KeepAliveOnceAsync(lease, Ct) >= 2);
            await Task.Delay(500, Ct);
        }

        Assert.NotNull(await GetAsync(Key("k")));
        Assert.True(await Store.TimeToLiveAsync(lease, Ct) >= 0);
        Assert.True(await EventuallyAsync(async () => await GetAsync(Key("k")) is null), "the key outlived its lease once renewals stopped");
    }
}
