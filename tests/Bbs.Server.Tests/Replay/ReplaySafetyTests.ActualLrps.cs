using Bbs.Models;
using static Bbs.Server.Tests.Support.Models;
using ErrorType = Bbs.Models.Error.Types.Type;

namespace Bbs.Server.Tests.Replay;

public abstract partial class ReplaySafetyTests<TServer>
{
    /// <summary>Claiming again with the same instance key is a no-op (NEW; decisions.md 18).</summary>
    [Fact]
    public async Task AReplayedClaimSucceedsAndWritesNothing()
    {
        var guid = await DesiredAsync(1);
        var unclaimed = await Client.InstanceAsync(guid, 0);
        var cell = InstanceKey("cell-a");

        var lost = await LoseAnswerAsync("/v1/actual_lrps/claim", new ClaimActualLRPRequest { ProcessGuid = guid, Index = 0, ActualLrpInstanceKey = cell });
        Assert.Null(lost.Answer<ActualLRPLifecycleResponse>().Error);
        var claimed = await Client.InstanceAsync(guid, 0);
        var revision = await RevisionAsync();

        var replay = await ReplayAsync<ActualLRPLifecycleResponse>(lost);

        Assert.Null(replay.Error);
        Assert.Equal(revision, await RevisionAsync());
        Assert.Equal(claimed, await Client.InstanceAsync(guid, 0));
        Assert.Equal("CLAIMED", claimed.State);
        Assert.Equal(cell, claimed.ActualLrpInstanceKey);
        Assert.Equal(unclaimed.ModificationTag.Index + 1, claimed.ModificationTag.Index);
    }

    /// <summary>The same start again is the rep's heartbeat: a no-op (bbs-protocol.md §4.1).</summary>
    [Fact]
    public async Task AReplayedStartSucceedsAndWritesNothing()
    {
        var (guid, cell) = await ClaimedAsync();
        var claimed = await Client.InstanceAsync(guid, 0);

        var lost = await LoseAnswerAsync("/v1/actual_lrps/start.r1", new StartActualLRPRequest { ActualLrpKey = Key(guid, 0), ActualLrpInstanceKey = cell, ActualLrpNetInfo = NetInfo() });
        Assert.Null(lost.Answer<ActualLRPLifecycleResponse>().Error);
        var running = await Client.InstanceAsync(guid, 0);
        var revision = await RevisionAsync();

        var replay = await ReplayAsync<ActualLRPLifecycleResponse>(lost);

        Assert.Null(replay.Error);
        Assert.Equal(revision, await RevisionAsync());
        Assert.Equal(running, await Client.InstanceAsync(guid, 0));
        Assert.Equal("RUNNING", running.State);
        Assert.Equal(claimed.ModificationTag.Index + 1, running.ModificationTag.Index);
    }

    /// <summary>
    /// After the crash the instance is UNCLAIMED (restarted at once) without an instance key, so BBS refuses the
    /// same crash again as CannotBeCrashed (E16 and NEW): the crash is counted once and the restart auctioned once.
    /// The rep only logs a failed crash report; its container is gone either way.
    /// </summary>
    [Fact]
    public async Task AReplayedCrashIsRefusedAndCountsTheCrashOnce()
    {
        var (guid, cell) = await RunningAsync();
        var auctions = LrpAuctionsFor(guid);

        var lost = await LoseAnswerAsync("/v1/actual_lrps/crash", new CrashActualLRPRequest { ActualLrpKey = Key(guid, 0), ActualLrpInstanceKey = cell, ErrorMessage = "boom" });
        Assert.Null(lost.Answer<ActualLRPLifecycleResponse>().Error);
        auctions = await AwaitLrpAuctionAsync(guid, auctions);
        var crashed = await Client.InstanceAsync(guid, 0);
        var revision = await RevisionAsync();

        var replay = await ReplayAsync<ActualLRPLifecycleResponse>(lost);

        Assert.Equal(new Error { Type = ErrorType.ActualLrpcannotBeCrashed, Message = "cannot crash actual LRP" }, replay.Error);
        Assert.Equal(revision, await RevisionAsync());
        Assert.Equal(crashed, await Client.InstanceAsync(guid, 0));
        Assert.Equal("UNCLAIMED", crashed.State);
        Assert.Equal(1, crashed.CrashCount);
        await AssertNoFurtherLrpAuctionsAsync(guid, auctions);
    }

    /// <summary>
    /// A placement failure on an UNCLAIMED instance is accepted again, as BBS does (E16 and NEW re-stamp the record
    /// on every fail: <c>since</c> is when placement last failed, which paces the stale-unclaimed re-auction). The
    /// state, placement error and everything else are as after one failure.
    /// </summary>
    [Fact]
    public async Task AReplayedFailSucceedsAndLeavesTheSamePlacementError()
    {
        var guid = await DesiredAsync(1);

        var lost = await LoseAnswerAsync("/v1/actual_lrps/fail", new FailActualLRPRequest { ActualLrpKey = Key(guid, 0), ErrorMessage = "insufficient resources" });
        Assert.Null(lost.Answer<ActualLRPLifecycleResponse>().Error);
        var failed = await Client.InstanceAsync(guid, 0);

        var replay = await ReplayAsync<ActualLRPLifecycleResponse>(lost);

        Assert.Null(replay.Error);
        var after = await Client.InstanceAsync(guid, 0);
        Assert.Equal("UNCLAIMED", after.State);
        Assert.Equal("insufficient resources", after.PlacementError);
        Assert.Equal(failed.ModificationTag.Index + 1, after.ModificationTag.Index);
        Assert.True(after.Since >= failed.Since);
        after.ModificationTag = failed.ModificationTag;
        after.Since = failed.Since;
        Assert.Equal(failed, after);
        Assert.Single(await Client.ActualLrpsAsync(new Bbs.Client.ActualLrpFilter(ProcessGuid: guid)));
    }

    /// <summary>The record is gone after the first remove: ResourceNotFound (NEW, and E16's read before its delete).</summary>
    [Fact]
    public async Task AReplayedRemoveActualLrpIsResourceNotFoundAndWritesNothing()
    {
        var (guid, cell) = await ClaimedAsync();

        var lost = await LoseAnswerAsync("/v1/actual_lrps/remove", new RemoveActualLRPRequest { ProcessGuid = guid, Index = 0, ActualLrpInstanceKey = cell });
        Assert.Null(lost.Answer<ActualLRPLifecycleResponse>().Error);
        var revision = await RevisionAsync();

        var replay = await ReplayAsync<ActualLRPLifecycleResponse>(lost);

        Assert.Equal(new Error { Type = ErrorType.ResourceNotFound, Message = "the requested resource could not be found" }, replay.Error);
        Assert.Equal(revision, await RevisionAsync());
        Assert.Empty(await Client.ActualLrpsAsync(new Bbs.Client.ActualLrpFilter(ProcessGuid: guid)));
        Assert.Equal(1, (await Client.DesiredLrpByProcessGuidAsync(guid)).Instances);
    }

    /// <summary>
    /// Retire removes the record at once (decisions.md 15), so the replay finds nothing: ResourceNotFound, as BBS's
    /// retire answers for a missing record. The rep is asked to stop the container once.
    /// </summary>
    [Fact]
    public async Task AReplayedRetireIsResourceNotFoundAndStopsTheContainerOnce()
    {
        var cellId = NewGuid("cell");
        await Server.RegisterCellAsync(cellId);
        var (guid, cell) = await RunningAsync(cellId);

        var lost = await LoseAnswerAsync("/v1/actual_lrps/retire", new RetireActualLRPRequest { ActualLrpKey = Key(guid, 0) });
        Assert.Null(lost.Answer<ActualLRPLifecycleResponse>().Error);
        await Server.Rep.WaitForStopAsync(guid, cell.InstanceGuid);
        var revision = await RevisionAsync();

        var replay = await ReplayAsync<ActualLRPLifecycleResponse>(lost);

        Assert.Equal(new Error { Type = ErrorType.ResourceNotFound, Message = "the requested resource could not be found" }, replay.Error);
        Assert.Equal(revision, await RevisionAsync());
        Assert.Empty(await Client.ActualLrpsAsync(new Bbs.Client.ActualLrpFilter(ProcessGuid: guid)));
        Assert.Single(Server.Rep.Stops, s => s.ProcessGuid == guid);
    }
}
