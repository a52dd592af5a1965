using Grpc.Core;
using Etcdserverpb;
using Mvccpb;
using Bbs.Testing.Etcd;
using Bbs.Testing.Logging;
using Xunit.Abstractions;
using static Bbs.Etcd.Tests.TestSupport;

namespace Bbs.Etcd.Tests;

[Collection(EtcdFixture.Collection)]
public sealed class LeaseTests(EtcdFixture etcd, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly EtcdClient _client = NewClient(etcd.ClientUrls, new TestLogger(output));
    private readonly string _prefix = TestKeys.UniquePrefix();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public async Task KeepAliveHoldsALeasePastItsTtlAndTheLeaseExpiresOnceItStops()
    {
        var lease = await _client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 2 }, CancellationToken.None);
        await _client.PutAsync(_prefix + "presence", "cell", lease.ID);

        var keepAlive = await _client.KeepAliveAsync(lease.ID, CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(5));

        // -1 would mean gone; 0 is alive with under a second left (a renewal delayed by a busy machine).
        var alive = await TimeToLiveAsync(lease.ID);
        Assert.InRange(alive, 0, 2);
        Assert.NotNull(await _client.GetAsync(_prefix + "presence"));
        Assert.False(keepAlive.Lost.IsCompleted);
        Assert.False(keepAlive.LeaseLost.IsCancellationRequested);
        Assert.Equal(2, keepAlive.TtlSeconds);

        await keepAlive.DisposeAsync();
        await EventuallyAsync(async () => await TimeToLiveAsync(lease.ID) == -1, "the lease expired", TimeSpan.FromSeconds(6));

        Assert.Null(await _client.GetAsync(_prefix + "presence"));
        Assert.True(keepAlive.Lost.IsCanceled);
        Assert.False(keepAlive.LeaseLost.IsCancellationRequested);
    }

    [Fact]
    public async Task ARevokedLeaseIsReportedLostByItsKeepAlive()
    {
        var lease = await _client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 3 }, CancellationToken.None);
        await using var keepAlive = await _client.KeepAliveAsync(lease.ID, CancellationToken.None);

        await _client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease.ID }, CancellationToken.None);

        Assert.Equal(LeaseLossReason.NotFound, await keepAlive.Lost.WaitAsync(Patience));
        Assert.True(keepAlive.LeaseLost.IsCancellationRequested);
    }

    [Fact]
    public async Task KeepAliveOnceRenewsALeaseAndReportsAGoneOneWithTtlZero()
    {
        var lease = await _client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 5 }, CancellationToken.None);

        var renewed = await _client.LeaseKeepAliveOnceAsync(new LeaseKeepAliveRequest { ID = lease.ID }, CancellationToken.None);
        await _client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease.ID }, CancellationToken.None);
        var gone = await _client.LeaseKeepAliveOnceAsync(new LeaseKeepAliveRequest { ID = lease.ID }, CancellationToken.None);

        Assert.Equal(lease.ID, renewed.ID);
        Assert.Equal(5, renewed.TTL);
        Assert.Equal(0, gone.TTL);
    }

    [Fact]
    public async Task AnUnknownLeaseIsReportedAsLeaseNotFound()
    {
        const long unknown = 0x7e57_0000_dead;

        var revoke = await Assert.ThrowsAsync<EtcdLeaseNotFoundException>(
            () => _client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = unknown }, CancellationToken.None));
        var put = await Assert.ThrowsAsync<EtcdLeaseNotFoundException>(
            () => _client.PutAsync(new PutRequest { Key = Bytes(_prefix + "k"), Value = Bytes("v"), Lease = unknown }, CancellationToken.None));
        await Assert.ThrowsAsync<EtcdLeaseNotFoundException>(() => _client.TxnAsync(
            new TxnRequest { Success = { EtcdOp.Put(Bytes(_prefix + "k"), Bytes("v"), unknown) } }, CancellationToken.None));
        await Assert.ThrowsAsync<EtcdLeaseNotFoundException>(() => _client.KeepAliveAsync(unknown, CancellationToken.None));
        var ttl = await TimeToLiveAsync(unknown);

        Assert.Equal(StatusCode.NotFound, revoke.StatusCode);
        Assert.Equal("etcdserver: requested lease not found", revoke.Message);
        Assert.Equal(StatusCode.NotFound, put.StatusCode);
        Assert.Equal(-1, ttl);
    }

    [Fact]
    public async Task TimeToLiveListsTheLeasesKeys()
    {
        var lease = await _client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 10 }, CancellationToken.None);
        await _client.PutAsync(_prefix + "a", "1", lease.ID);

        var ttl = await _client.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = lease.ID, Keys = true }, CancellationToken.None);
        await _client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease.ID }, CancellationToken.None);

        Assert.Equal(10, ttl.GrantedTTL);
        Assert.Equal(_prefix + "a", Assert.Single(ttl.Keys).ToStringUtf8());
        Assert.Null(await _client.GetAsync(_prefix + "a"));
    }

    private async Task<long> TimeToLiveAsync(long leaseId) =>
        (await _client.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = leaseId }, CancellationToken.None)).TTL;
}
