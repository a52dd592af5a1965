using Bbs.Models;
using Bbs.Store;
using static Bbs.Server.Tests.Support.Models;
using ErrorType = Bbs.Models.Error.Types.Type;

namespace Bbs.Server.Tests.Replay;

public abstract partial class ReplaySafetyTests<TServer>
{
    /// <summary>The instance is UNCLAIMED after the first call and no longer this cell's: keep_container=false again, nothing unclaimed or auctioned twice.</summary>
    [Fact]
    public async Task AReplayedEvacuateClaimedGivesTheSameAnswerAndAuctionsOnce()
    {
        var (guid, cell) = await ClaimedAsync();
        var auctions = LrpAuctionsFor(guid);

        var lost = await LoseAnswerAsync("/v1/actual_lrps/evacuate_claimed", new EvacuateClaimedActualLRPRequest { ActualLrpKey = Key(guid, 0), ActualLrpInstanceKey = cell });
        Assert.Equal(new EvacuationResponse { KeepContainer = false }, lost.Answer<EvacuationResponse>());
        auctions = await AwaitLrpAuctionAsync(guid, auctions);
        var group = await Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0);
        var revision = await RevisionAsync();

        var replay = await ReplayAsync<EvacuationResponse>(lost);

        Assert.Equal(new EvacuationResponse { KeepContainer = false }, replay);
        Assert.Equal(revision, await RevisionAsync());
        Assert.Equal(group, await Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0));
        Assert.Equal("UNCLAIMED", group.Instance.State);
        Assert.Null(group.Evacuating);
        await AssertNoFurtherLrpAuctionsAsync(guid, auctions);
    }

    /// <summary>
    /// The same evacuate_running again finds its own evacuating copy beside the UNCLAIMED replacement: keep_container=true,
    /// and the copy's lease is renewed without a write (decisions.md 19), so nothing is copied, unclaimed or auctioned twice.
    /// </summary>
    [Fact]
    public async Task AReplayedEvacuateRunningKeepsTheContainerAndRenewsTheSameCopy()
    {
        var (guid, cell) = await RunningAsync();
        var auctions = LrpAuctionsFor(guid);
        var request = new EvacuateRunningActualLRPRequest { ActualLrpKey = Key(guid, 0), ActualLrpInstanceKey = cell, ActualLrpNetInfo = NetInfo(), Ttl = 60 };

        var lost = await LoseAnswerAsync("/v1/actual_lrps/evacuate_running.r1", request);
        Assert.Equal(new EvacuationResponse { KeepContainer = true }, lost.Answer<EvacuationResponse>());
        auctions = await AwaitLrpAuctionAsync(guid, auctions);
        var group = await Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0);
        var copy = await EvacuatingRecordAsync(guid);
        var revision = await RevisionAsync();

        var replay = await ReplayAsync<EvacuationResponse>(lost);

        Assert.Equal(new EvacuationResponse { KeepContainer = true }, replay);
        Assert.Equal(revision, await RevisionAsync());
        Assert.Equal(group, await Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0));
        Assert.Equal("UNCLAIMED", group.Instance.State);
        Assert.Equal(cell, group.Evacuating.ActualLrpInstanceKey);
        var renewed = await EvacuatingRecordAsync(guid);
        Assert.Equal((copy.ModRevision, copy.Lease), (renewed.ModRevision, renewed.Lease));
        await AssertNoFurtherLrpAuctionsAsync(guid, auctions);
    }

    /// <summary>The first call deleted this cell's instance; the replay finds nothing of the cell's and answers as the first did.</summary>
    [Fact]
    public async Task AReplayedEvacuateStoppedGivesTheSameAnswerAndWritesNothing()
    {
        var (guid, cell) = await RunningAsync();

        var lost = await LoseAnswerAsync("/v1/actual_lrps/evacuate_stopped", new EvacuateStoppedActualLRPRequest { ActualLrpKey = Key(guid, 0), ActualLrpInstanceKey = cell });
        Assert.Equal(new EvacuationResponse { KeepContainer = false }, lost.Answer<EvacuationResponse>());
        var revision = await RevisionAsync();

        var replay = await ReplayAsync<EvacuationResponse>(lost);

        Assert.Equal(new EvacuationResponse { KeepContainer = false }, replay);
        Assert.Equal(revision, await RevisionAsync());
        Assert.Empty(await Client.ActualLrpsAsync(new Bbs.Client.ActualLrpFilter(ProcessGuid: guid)));
    }

    /// <summary>
    /// evacuate_crashed is a crash report (E16: remove the own evacuating copy, then CrashActualLRP, ignoring only
    /// ResourceNotFound). The replay meets the restarted UNCLAIMED instance and is refused as CannotBeCrashed, as a
    /// replayed crash is; keep_container stays false. The crash is counted and auctioned once.
    /// </summary>
    [Fact]
    public async Task AReplayedEvacuateCrashedIsRefusedAndCountsTheCrashOnce()
    {
        var (guid, cell) = await RunningAsync();
        var auctions = LrpAuctionsFor(guid);

        var lost = await LoseAnswerAsync("/v1/actual_lrps/evacuate_crashed", new EvacuateCrashedActualLRPRequest { ActualLrpKey = Key(guid, 0), ActualLrpInstanceKey = cell, ErrorMessage = "oom" });
        Assert.Equal(new EvacuationResponse { KeepContainer = false }, lost.Answer<EvacuationResponse>());
        auctions = await AwaitLrpAuctionAsync(guid, auctions);
        var crashed = await Client.InstanceAsync(guid, 0);
        var revision = await RevisionAsync();

        var replay = await ReplayAsync<EvacuationResponse>(lost);

        Assert.Equal(new EvacuationResponse { Error = new Error { Type = ErrorType.ActualLrpcannotBeCrashed, Message = "cannot crash actual LRP" } }, replay);
        Assert.Equal(revision, await RevisionAsync());
        Assert.Equal(crashed, await Client.InstanceAsync(guid, 0));
        Assert.Equal(1, crashed.CrashCount);
        Assert.Equal("oom", crashed.CrashReason);
        await AssertNoFurtherLrpAuctionsAsync(guid, auctions);
    }

    /// <summary>Removing an evacuating record that is already gone succeeds (E16), so the replay is answered as the first call.</summary>
    [Fact]
    public async Task AReplayedRemoveEvacuatingSucceedsAndWritesNothing()
    {
        var (guid, cell) = await RunningAsync();
        Assert.True(await Client.EvacuateRunningActualLrpAsync(Key(guid, 0), cell, NetInfo(), TimeSpan.FromMinutes(1)));

        var lost = await LoseAnswerAsync("/v1/actual_lrps/remove_evacuating", new RemoveEvacuatingActualLRPRequest { ActualLrpKey = Key(guid, 0), ActualLrpInstanceKey = cell });
        Assert.Null(lost.Answer<RemoveEvacuatingActualLRPResponse>().Error);
        var group = await Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0);
        var revision = await RevisionAsync();

        var replay = await ReplayAsync<RemoveEvacuatingActualLRPResponse>(lost);

        Assert.Null(replay.Error);
        Assert.Equal(revision, await RevisionAsync());
        Assert.Equal(group, await Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0));
        Assert.Null(group.Evacuating);
        Assert.Equal("UNCLAIMED", group.Instance.State);
    }

    private async Task<KeyValue> EvacuatingRecordAsync(string guid)
    {
        var record = (await Server.GetService<IKeyValueStore>().GetAsync(Bbs.Db.Keys.ActualEvacuating(guid, 0), CancellationToken.None)).Kv;
        Assert.NotNull(record);
        return record;
    }
}
