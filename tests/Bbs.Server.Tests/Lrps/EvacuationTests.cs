using Bbs.Models;
using Bbs.Server.Tests.Support;
using Bbs.Store;
using static Bbs.Server.Tests.Support.Models;
using ErrorType = Bbs.Models.Error.Types.Type;

namespace Bbs.Server.Tests.Lrps;

/// <summary>bbs-protocol.md §10 cases 15-20: evacuation with E16's semantics, the evacuating record under a lease.</summary>
public abstract class EvacuationTests<TServer>(TServer server)
    where TServer : BbsServer
{
    private Bbs.Client.BbsClient Client => server.Client;

    [Fact]
    public async Task EvacuatingAClaimedLrpUnclaimsItAndAuctionsIt()
    {
        var (guid, cell) = await ClaimedAsync();
        var auctions = AuctionsFor(guid);

        var keep = await Client.EvacuateClaimedActualLrpAsync(Key(guid, 0), cell);

        Assert.False(keep);
        var group = await Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0);
        Assert.Equal("UNCLAIMED", group.Instance.State);
        Assert.Null(group.Evacuating);
        await server.Auctioneer.WaitUntilAsync(_ => AuctionsFor(guid) > auctions, TimeSpan.FromSeconds(10), "a re-placement auction");
    }

    [Fact]
    public async Task EvacuatingTheRunningOwnerKeepsAnEvacuatingCopyAndAuctionsTheInstance()
    {
        var (guid, cell) = await RunningAsync();
        var auctions = AuctionsFor(guid);

        var keep = await Client.EvacuateRunningActualLrpAsync(Key(guid, 0), cell, NetInfo(), TimeSpan.FromMinutes(1));

        Assert.True(keep);
        var group = await Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0);
        Assert.Equal("UNCLAIMED", group.Instance.State);
        Assert.Equal("RUNNING", group.Evacuating.State);
        Assert.Equal(cell, group.Evacuating.ActualLrpInstanceKey);
        Assert.Equal(NetInfo(), group.Evacuating.ActualLrpNetInfo);
        Assert.Equal(ActualLRP.Types.Presence.Evacuating, group.Evacuating.Presence);
        await server.Auctioneer.WaitUntilAsync(_ => AuctionsFor(guid) > auctions, TimeSpan.FromSeconds(10), "a re-placement auction");

        var other = await Client.EvacuateRunningActualLrpAsync(Key(guid, 0), InstanceKey("cell-b"), NetInfo("10.0.0.2"), TimeSpan.FromMinutes(1));
        Assert.False(other);
        Assert.Equal(cell, (await Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0)).Evacuating.ActualLrpInstanceKey);
    }

    [Fact]
    public async Task ARepeatedEvacuateRunningRenewsTheLeaseWithoutRewritingTheCopy()
    {
        var (guid, cell) = await RunningAsync();
        await Client.EvacuateRunningActualLrpAsync(Key(guid, 0), cell, NetInfo(), TimeSpan.FromMinutes(1));
        var store = server.GetService<IKeyValueStore>();
        var first = (await store.GetAsync(Bbs.Db.Keys.ActualEvacuating(guid, 0), CancellationToken.None)).Kv!;

        Assert.True(await Client.EvacuateRunningActualLrpAsync(Key(guid, 0), cell, NetInfo(), TimeSpan.FromMinutes(1)));

        var second = (await store.GetAsync(Bbs.Db.Keys.ActualEvacuating(guid, 0), CancellationToken.None)).Kv!;
        Assert.Equal(first.ModRevision, second.ModRevision);
        Assert.Equal(first.Lease, second.Lease);
    }

    [Fact]
    public async Task TheEvacuatingRecordCarriesALeaseOfTheRequestedTtl()
    {
        var (guid, cell) = await RunningAsync();

        await Client.EvacuateRunningActualLrpAsync(Key(guid, 0), cell, NetInfo(), TimeSpan.FromSeconds(90));

        var store = server.GetService<IKeyValueStore>();
        var record = (await store.GetAsync(Bbs.Db.Keys.ActualEvacuating(guid, 0), CancellationToken.None)).Kv;
        Assert.NotNull(record);
        Assert.NotEqual(0, record.Lease);
        var ttl = await store.TimeToLiveAsync(record.Lease, CancellationToken.None);
        Assert.InRange(ttl, 60, 90);
    }

    [Fact]
    public async Task WithoutATtlTheEvacuatingRecordGetsTheDefaultOfTenMinutes()
    {
        var (guid, cell) = await RunningAsync();

        await Client.EvacuateRunningActualLrpAsync(Key(guid, 0), cell, NetInfo());

        var store = server.GetService<IKeyValueStore>();
        var record = (await store.GetAsync(Bbs.Db.Keys.ActualEvacuating(guid, 0), CancellationToken.None)).Kv;
        Assert.NotNull(record);
        Assert.InRange(await store.TimeToLiveAsync(record.Lease, CancellationToken.None), 540, 600);
    }

    [Fact]
    public async Task TheEvacuatingRecordDisappearsWhenItsLeaseExpires()
    {
        var (guid, cell) = await RunningAsync();

        Assert.True(await Client.EvacuateRunningActualLrpAsync(Key(guid, 0), cell, NetInfo(), TimeSpan.FromSeconds(1)));
        Assert.NotNull((await Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0)).Evacuating);

        var deadline = DateTime.UtcNow.AddSeconds(15);
        ActualLRPGroup group;
        do
        {
            await Task.Delay(200);
            group = await Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0);
        }
        while (group.Evacuating is not null && DateTime.UtcNow < deadline);

        Assert.Null(group.Evacuating);
        Assert.Equal("UNCLAIMED", group.Instance.State);
    }

    [Fact]
    public async Task EvacuatingStoppedAfterRunningRemovesTheLrp()
    {
        var (guid, cell) = await RunningAsync();

        var keep = await Client.EvacuateStoppedActualLrpAsync(Key(guid, 0), cell);

        Assert.False(keep);
        await ThrowsBbsAsync(() => Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0), ErrorType.ResourceNotFound);
    }

    [Fact]
    public async Task EvacuatingStoppedRemovesTheOwnEvacuatingCopy()
    {
        var (guid, cell) = await RunningAsync();
        await Client.EvacuateRunningActualLrpAsync(Key(guid, 0), cell, NetInfo(), TimeSpan.FromMinutes(1));

        await ThrowsBbsAsync(() => Client.EvacuateStoppedActualLrpAsync(Key(guid, 0), cell), ErrorType.ActualLrpcannotBeRemoved);

        var group = await Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0);
        Assert.Null(group.Evacuating);
        Assert.Equal("UNCLAIMED", group.Instance.State);
    }

    [Fact]
    public async Task EvacuatingCrashedRemovesTheEvacuatingCopyAndCrashesTheInstance()
    {
        var (guid, cell) = await RunningAsync();

        var keep = await Client.EvacuateCrashedActualLrpAsync(Key(guid, 0), cell, "oom");

        Assert.False(keep);
        var group = await Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0);
        Assert.Null(group.Evacuating);
        Assert.Equal("UNCLAIMED", group.Instance.State);
        Assert.Equal(1, group.Instance.CrashCount);
        Assert.Equal("oom", group.Instance.CrashReason);
    }

    [Fact]
    public async Task RemovingAnEvacuatingRecordThatDoesNotExistSucceeds()
    {
        var (guid, cell) = await RunningAsync();

        await Client.RemoveEvacuatingActualLrpAsync(Key(guid, 0), cell);

        Assert.Equal("RUNNING", (await Client.InstanceAsync(guid, 0)).State);
    }

    [Fact]
    public async Task RemovingAnotherCellsEvacuatingRecordIsRefused()
    {
        var (guid, cell) = await RunningAsync();
        await Client.EvacuateRunningActualLrpAsync(Key(guid, 0), cell, NetInfo(), TimeSpan.FromMinutes(1));

        await ThrowsBbsAsync(() => Client.RemoveEvacuatingActualLrpAsync(Key(guid, 0), InstanceKey("cell-b")), ErrorType.ActualLrpcannotBeRemoved);

        await Client.RemoveEvacuatingActualLrpAsync(Key(guid, 0), cell);
        Assert.Null((await Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0)).Evacuating);
    }

    [Fact]
    public async Task ListsShowTheEvacuatingRecordWithItsPresence()
    {
        var (guid, cell) = await RunningAsync();
        await Client.EvacuateRunningActualLrpAsync(Key(guid, 0), cell, NetInfo(), TimeSpan.FromMinutes(1));

        var records = await Client.ActualLrpsAsync(new Bbs.Client.ActualLrpFilter(ProcessGuid: guid));

        Assert.Equal(2, records.Count);
        Assert.Single(records, r => r.Presence == ActualLRP.Types.Presence.Evacuating && r.State == "RUNNING");
        Assert.Single(records, r => r.Presence == ActualLRP.Types.Presence.Ordinary && r.State == "UNCLAIMED");
    }

    private async Task<(string Guid, ActualLRPInstanceKey Cell)> ClaimedAsync()
    {
        var guid = NewGuid();
        await Client.DesireLrpAsync(DesiredLrp(guid, 1));
        var cell = InstanceKey("cell-a");
        await Client.ClaimActualLrpAsync(guid, 0, cell);
        return (guid, cell);
    }

    private async Task<(string Guid, ActualLRPInstanceKey Cell)> RunningAsync()
    {
        var (guid, cell) = await ClaimedAsync();
        await Client.StartActualLrpAsync(Key(guid, 0), cell, NetInfo());
        return (guid, cell);
    }

    private int AuctionsFor(string guid) => server.Auctioneer.LrpAuctions.Count(a => a.ProcessGuid == guid);
}

public sealed class EmbeddedEvacuationTests(EmbeddedBbsServer server) : EvacuationTests<EmbeddedBbsServer>(server), IClassFixture<EmbeddedBbsServer>;

public sealed class EtcdEvacuationTests(EtcdBbsServer server) : EvacuationTests<EtcdBbsServer>(server), IClassFixture<EtcdBbsServer>;
