using Bbs.Models;
using static Bbs.Server.Tests.Support.Models;
using ErrorType = Bbs.Models.Error.Types.Type;

namespace Bbs.Server.Tests.Replay;

public abstract partial class ReplaySafetyTests<TServer>
{
    /// <summary>
    /// BBS cannot tell a replayed desire from a second one: it answers ResourceExists (etcd's 105, SQL's unique key),
    /// which is what Cloud Controller's sync expects for an LRP that is already desired. Nothing is written again and
    /// no instance is created or auctioned twice.
    /// </summary>
    [Fact]
    public async Task AReplayedDesireLrpIsResourceExistsAndCreatesNothingTwice()
    {
        var guid = NewGuid();

        var lost = await LoseAnswerAsync("/v1/desired_lrp/desire.r2", new DesireLRPRequest { DesiredLrp = DesiredLrp(guid, 2) });
        Assert.Null(lost.Answer<DesiredLRPLifecycleResponse>().Error);
        await Server.Auctioneer.WaitForLrpAuctionAsync(guid, 1);
        var desired = await Client.DesiredLrpByProcessGuidAsync(guid);
        var instances = await Client.ActualLrpsAsync(new Bbs.Client.ActualLrpFilter(ProcessGuid: guid));
        var auctions = LrpAuctionsFor(guid);
        var revision = await RevisionAsync();

        var replay = await ReplayAsync<DesiredLRPLifecycleResponse>(lost);

        Assert.Equal(new Error { Type = ErrorType.ResourceExists, Message = "the requested resource already exists" }, replay.Error);
        Assert.Equal(revision, await RevisionAsync());
        Assert.Equal(desired, await Client.DesiredLrpByProcessGuidAsync(guid));
        Assert.Equal(2, instances.Count);
        Assert.Equal(instances, await Client.ActualLrpsAsync(new Bbs.Client.ActualLrpFilter(ProcessGuid: guid)));
        await AssertNoFurtherLrpAuctionsAsync(guid, auctions);
    }

    /// <summary>
    /// An update sets the fields it carries, so the same update again changes nothing but the modification tag,
    /// which BBS bumps on every update (E16 and NEW alike): the instances a scale-up created are neither created
    /// nor auctioned again.
    /// </summary>
    [Fact]
    public async Task AReplayedScaleUpSucceedsAndCreatesNoFurtherInstances()
    {
        var guid = await DesiredAsync(1);
        var update = new DesiredLRPUpdate { Instances = 3, Annotation = "v2" };

        var lost = await LoseAnswerAsync("/v1/desired_lrp/update", new UpdateDesiredLRPRequest { ProcessGuid = guid, Update = update });
        Assert.Null(lost.Answer<DesiredLRPLifecycleResponse>().Error);
        await Server.Auctioneer.WaitForLrpAuctionAsync(guid, 2);
        var updated = await Client.DesiredLrpByProcessGuidAsync(guid);
        var instances = await Client.ActualLrpsAsync(new Bbs.Client.ActualLrpFilter(ProcessGuid: guid));
        var auctions = LrpAuctionsFor(guid);

        var replay = await ReplayAsync<DesiredLRPLifecycleResponse>(lost);

        Assert.Null(replay.Error);
        var after = await Client.DesiredLrpByProcessGuidAsync(guid);
        Assert.Equal(3, after.Instances);
        Assert.Equal("v2", after.Annotation);
        Assert.Equal(updated.ModificationTag.Index + 1, after.ModificationTag.Index);
        after.ModificationTag = updated.ModificationTag;
        Assert.Equal(updated, after);
        Assert.Equal(3, instances.Count);
        Assert.Equal(instances, await Client.ActualLrpsAsync(new Bbs.Client.ActualLrpFilter(ProcessGuid: guid)));
        await AssertNoFurtherLrpAuctionsAsync(guid, auctions);
    }

    /// <summary>
    /// The LRP is gone after the first remove, so BBS answers ResourceNotFound (E16: "only if both were missing"),
    /// writes nothing and asks no rep to stop anything again.
    /// </summary>
    [Fact]
    public async Task AReplayedRemoveDesiredLrpIsResourceNotFoundAndStopsNothingTwice()
    {
        var cellId = NewGuid("cell");
        await Server.RegisterCellAsync(cellId);
        var (guid, cell) = await RunningAsync(cellId);

        var lost = await LoseAnswerAsync("/v1/desired_lrp/remove", new RemoveDesiredLRPRequest { ProcessGuid = guid });
        Assert.Null(lost.Answer<DesiredLRPLifecycleResponse>().Error);
        await Server.Rep.WaitForStopAsync(guid, cell.InstanceGuid);
        var revision = await RevisionAsync();

        var replay = await ReplayAsync<DesiredLRPLifecycleResponse>(lost);

        Assert.Equal(new Error { Type = ErrorType.ResourceNotFound, Message = "the requested resource could not be found" }, replay.Error);
        Assert.Equal(revision, await RevisionAsync());
        await ThrowsBbsAsync(() => Client.DesiredLrpByProcessGuidAsync(guid), ErrorType.ResourceNotFound);
        Assert.Empty(await Client.ActualLrpsAsync(new Bbs.Client.ActualLrpFilter(ProcessGuid: guid)));
        Assert.Single(Server.Rep.Stops, s => s.ProcessGuid == guid);
    }
}
