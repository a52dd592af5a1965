using Bbs.Testing.Time;
using Bbs.Store.Embedded;

namespace Bbs.Store.Tests.Embedded;

/// <summary>Lease timing on a clock the test moves by hand.</summary>
public sealed class EmbeddedLeaseTests : IAsyncDisposable
{
    private readonly ManualTimeProvider _clock = new();
    private readonly EmbeddedKeyValueStore _store;

    public EmbeddedLeaseTests()
    {
        _store = new EmbeddedKeyValueStore(new EmbeddedKeyValueStoreOptions(), _clock);
    }

    private static CancellationToken Ct => CancellationToken.None;

    public ValueTask DisposeAsync() => _store.DisposeAsync();

    [Fact]
    public async Task ALeaseExpiresExactlyWhenItsTtlHasPassedAndNotBefore()
    {
        var lease = await _store.GrantLeaseAsync(5, Ct);
        await PutAsync("/k", lease);

        _clock.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        Assert.NotNull((await _store.GetAsync("/k", Ct)).Kv);
        Assert.Equal(0, await _store.TimeToLiveAsync(lease, Ct));

        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Null((await _store.GetAsync("/k", Ct)).Kv);
        Assert.Equal(-1, await _store.TimeToLiveAsync(lease, Ct));
    }

    [Fact]
    public async Task ExpiryDeletesAllOfTheLeasesKeysInOneRevisionWithTheirPreviousValues()
    {
        var lease = await _store.GrantLeaseAsync(10, Ct);
        var other = await _store.GrantLeaseAsync(20, Ct);
        await PutAsync("/a", lease);
        await PutAsync("/b", other);
        var written = await PutAsync("/c", lease);
        var watch = _store.WatchAsync("/", written + 1, Ct).GetAsyncEnumerator(Ct);

        _clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(written + 1, await _store.GetRevisionAsync(Ct));
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(written + 1, watch.Current.Revision);
        Assert.Equal(["/a", "/c"], watch.Current.Events.Select(e => e.PrevKv!.Key));
        Assert.All(watch.Current.Events, e => Assert.Equal((WatchEventType.Delete, lease), (e.Type, e.PrevKv!.Lease)));
        Assert.Equal(["/b"], (await _store.RangeAsync("/", 0, Ct)).Kvs.Select(kv => kv.Key));
        await watch.DisposeAsync();
    }

    [Fact]
    public async Task KeepAliveRestartsTheFullTtlFromNow()
    {
        var lease = await _store.GrantLeaseAsync(10, Ct);
        await PutAsync("/k", lease);

        _clock.Advance(TimeSpan.FromSeconds(8));
        Assert.Equal(10, await _store.KeepAliveOnceAsync(lease, Ct));
        Assert.Equal(10, await _store.TimeToLiveAsync(lease, Ct));

        _clock.Advance(TimeSpan.FromSeconds(9));
        Assert.NotNull((await _store.GetAsync("/k", Ct)).Kv);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null((await _store.GetAsync("/k", Ct)).Kv);
        Assert.Equal(0, await _store.KeepAliveOnceAsync(lease, Ct));
    }

    [Fact]
    public async Task TimeToLiveCountsDownInWholeSecondsRoundedDown()
    {
        var lease = await _store.GrantLeaseAsync(10, Ct);
        Assert.Equal(10, await _store.TimeToLiveAsync(lease, Ct));

        _clock.Advance(TimeSpan.FromMilliseconds(2500));

        Assert.Equal(7, await _store.TimeToLiveAsync(lease, Ct));
    }

    [Fact]
    public async Task LeasesExpireInDeadlineOrderEachInItsOwnRevision()
    {
        var late = await _store.GrantLeaseAsync(30, Ct);
        var early = await _store.GrantLeaseAsync(10, Ct);
        await PutAsync("/late", late);
        var written = await PutAsync("/early", early);

        _clock.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(["/late"], (await _store.RangeAsync("/", 0, Ct)).Kvs.Select(kv => kv.Key));
        Assert.Equal(written + 1, await _store.GetRevisionAsync(Ct));

        _clock.Advance(TimeSpan.FromSeconds(15));
        Assert.Empty((await _store.RangeAsync("/", 0, Ct)).Kvs);
        Assert.Equal(written + 2, await _store.GetRevisionAsync(Ct));
    }

    [Fact]
    public async Task TheCheckIntervalDelaysBackToBackExpiriesButNeverBringsOneForward()
    {
        await using var store = new EmbeddedKeyValueStore(new EmbeddedKeyValueStoreOptions { LeaseCheckInterval = TimeSpan.FromSeconds(1) }, _clock);
        var first = await store.GrantLeaseAsync(5, Ct);
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        var second = await store.GrantLeaseAsync(5, Ct);
        await store.TxnAsync(TxnRequest.If().Then(new PutOp("/first", "v"u8.ToArray(), first), new PutOp("/second", "v"u8.ToArray(), second)), Ct);

        _clock.Advance(TimeSpan.FromMilliseconds(4900));
        Assert.Equal(["/second"], (await store.RangeAsync("/", 0, Ct)).Kvs.Select(kv => kv.Key));

        // Due 0.1 s after the timer last ran; the timer waits out its interval...
        _clock.Advance(TimeSpan.FromMilliseconds(900));
        Assert.Single((await store.RangeAsync("/", 0, Ct)).Kvs);

        // ...but the lease itself is already gone for lease operations and transactions.
        Assert.Equal(-1, await store.TimeToLiveAsync(second, Ct));
        Assert.Empty((await store.RangeAsync("/", 0, Ct)).Kvs);
    }

    [Fact]
    public async Task APutWithALeaseWhoseDeadlinePassedIsRefusedEvenBeforeTheTimerRuns()
    {
        await using var store = new EmbeddedKeyValueStore(new EmbeddedKeyValueStoreOptions { LeaseCheckInterval = TimeSpan.FromMinutes(1) }, _clock);
        var warmup = await store.GrantLeaseAsync(1, Ct);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(-1, await store.TimeToLiveAsync(warmup, Ct));

        var lease = await store.GrantLeaseAsync(1, Ct);
        _clock.Advance(TimeSpan.FromSeconds(2));

        await Assert.ThrowsAsync<StoreLeaseNotFoundException>(() => store.TxnAsync(TxnRequest.If().Then(new PutOp("/k", "v"u8.ToArray(), lease)), Ct));
    }

    [Fact]
    public async Task GrantingATtlOutsideOneSecondToEtcdsMaximumIsRefused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.GrantLeaseAsync(0, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.GrantLeaseAsync(9_000_000_001, Ct));
        Assert.True(await _store.GrantLeaseAsync(9_000_000_000, Ct) > 0);
    }

    [Fact]
    public async Task DisposingTheStoreStopsTheLeaseTimer()
    {
        var lease = await _store.GrantLeaseAsync(1, Ct);
        await PutAsync("/k", lease);

        await _store.DisposeAsync();

        _clock.Advance(TimeSpan.FromSeconds(5));
    }

    private async Task<long> PutAsync(string key, long lease) =>
        (await _store.TxnAsync(TxnRequest.If().Then(new PutOp(key, "v"u8.ToArray(), lease)), Ct)).Revision;
}
