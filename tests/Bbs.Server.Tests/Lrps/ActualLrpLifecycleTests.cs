using Bbs.Db.Format;
using Bbs.Models;
using Bbs.Server.Tests.Support;
using Bbs.Store;
using static Bbs.Server.Tests.Support.Models;
using ErrorType = Bbs.Models.Error.Types.Type;

namespace Bbs.Server.Tests.Lrps;

/// <summary>bbs-protocol.md §10 cases 7-14, through real HTTP with Diego's protobuf wire form.</summary>
public abstract class ActualLrpLifecycleTests<TServer>(TServer server)
    where TServer : BbsServer
{
    protected TServer Server { get; } = server;

    private Bbs.Client.BbsClient Client => Server.Client;

    [Fact]
    public async Task ClaimingAnUnclaimedLrpMakesItClaimedAndBumpsTheModificationIndex()
    {
        var guid = await DesireAsync(1);
        var before = await Client.InstanceAsync(guid, 0);
        var cell = InstanceKey("cell-a");

        await Client.ClaimActualLrpAsync(guid, 0, cell);

        var after = await Client.InstanceAsync(guid, 0);
        Assert.Equal("CLAIMED", after.State);
        Assert.Equal(cell, after.ActualLrpInstanceKey);
        Assert.Equal(string.Empty, after.PlacementError);
        Assert.Equal(before.ModificationTag.Epoch, after.ModificationTag.Epoch);
        Assert.Equal(before.ModificationTag.Index + 1, after.ModificationTag.Index);
    }

    [Fact]
    public async Task ClaimingAClaimedLrpFromAnotherCellIsRefused()
    {
        var guid = await DesireAsync(1);
        await Client.ClaimActualLrpAsync(guid, 0, InstanceKey("cell-a"));

        await ThrowsBbsAsync(() => Client.ClaimActualLrpAsync(guid, 0, InstanceKey("cell-b")), ErrorType.ActualLrpcannotBeClaimed);
    }

    [Fact]
    public async Task ClaimingARunningLrpFromAnotherCellIsRefused()
    {
        var guid = await DesireAsync(1);
        var cell = InstanceKey("cell-a");
        await Client.ClaimActualLrpAsync(guid, 0, cell);
        await Client.StartActualLrpAsync(Key(guid, 0), cell, NetInfo());

        var ex = await ThrowsBbsAsync(() => Client.ClaimActualLrpAsync(guid, 0, InstanceKey("cell-b")), ErrorType.ActualLrpcannotBeClaimed);
        Assert.Equal("cannot claim actual LRP", ex.Error.Message);
    }

    [Fact]
    public async Task ReclaimingWithTheSameKeyIsANoOp()
    {
        var guid = await DesireAsync(1);
        var cell = InstanceKey("cell-a");
        await Client.ClaimActualLrpAsync(guid, 0, cell);
        var first = await Client.InstanceAsync(guid, 0);

        await Client.ClaimActualLrpAsync(guid, 0, cell);

        Assert.Equal(first, await Client.InstanceAsync(guid, 0));
    }

    [Fact]
    public async Task ClaimingAMissingIndexIsNotFound()
    {
        var guid = await DesireAsync(1);

        await ThrowsBbsAsync(() => Client.ClaimActualLrpAsync(guid, 7, InstanceKey("cell-a")), ErrorType.ResourceNotFound);
    }

    [Fact]
    public async Task StartingWithNoRecordCreatesARunningLrp()
    {
        var guid = NewGuid();
        var cell = InstanceKey("cell-a");

        await Client.StartActualLrpAsync(Key(guid, 0), cell, NetInfo());

        var lrp = await Client.InstanceAsync(guid, 0);
        Assert.Equal("RUNNING", lrp.State);
        Assert.Equal(cell, lrp.ActualLrpInstanceKey);
        Assert.Equal(NetInfo(), lrp.ActualLrpNetInfo);
        Assert.NotEmpty(lrp.ModificationTag.Epoch);
        Assert.Equal(0u, lrp.ModificationTag.Index);
        Assert.True(lrp.Routable);
    }

    [Fact]
    public async Task ARepeatedIdenticalStartIsANoOp()
    {
        var guid = await DesireAsync(1);
        var cell = InstanceKey("cell-a");
        await Client.ClaimActualLrpAsync(guid, 0, cell);
        await Client.StartActualLrpAsync(Key(guid, 0), cell, NetInfo());
        var first = await Client.InstanceAsync(guid, 0);

        await Client.StartActualLrpAsync(Key(guid, 0), cell, NetInfo());

        var second = await Client.InstanceAsync(guid, 0);
        Assert.Equal(first.ModificationTag, second.ModificationTag);
        Assert.Equal(first.Since, second.Since);
    }

    [Fact]
    public async Task StartingARunningLrpFromAnotherInstanceIsRefused()
    {
        var guid = await DesireAsync(1);
        var cell = InstanceKey("cell-a");
        await Client.ClaimActualLrpAsync(guid, 0, cell);
        await Client.StartActualLrpAsync(Key(guid, 0), cell, NetInfo());

        await ThrowsBbsAsync(() => Client.StartActualLrpAsync(Key(guid, 0), InstanceKey("cell-b"), NetInfo()), ErrorType.ActualLrpcannotBeStarted);
    }

    [Fact]
    public async Task TheFirstTwoCrashesRestartAtOnceAndTheThirdLeavesItCrashed()
    {
        var guid = await DesireAsync(1);
        await Server.Auctioneer.WaitForLrpAuctionAsync(guid, 0);

        for (var crash = 1; crash <= 3; crash++)
        {
            var cell = InstanceKey("cell-a");
            await Client.ClaimActualLrpAsync(guid, 0, cell);
            await Client.StartActualLrpAsync(Key(guid, 0), cell, NetInfo());
            var auctionsBefore = AuctionsFor(guid);

            await Client.CrashActualLrpAsync(Key(guid, 0), cell, "boom " + crash);

            var lrp = await Client.InstanceAsync(guid, 0);
            Assert.Equal(crash, lrp.CrashCount);
            Assert.Equal("boom " + crash, lrp.CrashReason);
            Assert.Equal(new ActualLRPInstanceKey(), lrp.ActualLrpInstanceKey);
            if (crash < 3)
            {
                Assert.Equal("UNCLAIMED", lrp.State);
                await Server.Auctioneer.WaitUntilAsync(_ => AuctionsFor(guid) > auctionsBefore, TimeSpan.FromSeconds(10), "a restart auction");
            }
            else
            {
                Assert.Equal("CRASHED", lrp.State);
                await Task.Delay(300);
                Assert.Equal(auctionsBefore, AuctionsFor(guid));
            }
        }
    }

    [Fact]
    public async Task ACrashAfterRunningForMoreThanFiveMinutesResetsTheCrashCount()
    {
        var guid = await DesireAsync(1);
        var cell = InstanceKey("cell-a");
        var sixMinutesAgo = (DateTimeOffset.UtcNow.AddMinutes(-6) - DateTimeOffset.UnixEpoch).Ticks * 100;
        await WriteInstanceAsync(guid, 0, lrp =>
        {
            lrp.State = "RUNNING";
            lrp.ActualLrpInstanceKey = cell;
            lrp.ActualLrpNetInfo = NetInfo();
            lrp.CrashCount = 5;
            lrp.Since = sixMinutesAgo;
        });

        await Client.CrashActualLrpAsync(Key(guid, 0), cell, "boom");

        var crashed = await Client.InstanceAsync(guid, 0);
        Assert.Equal(1, crashed.CrashCount);
        Assert.Equal("UNCLAIMED", crashed.State);
    }

    [Fact]
    public async Task CrashingAnUnclaimedLrpOrWithTheWrongInstanceIsRefused()
    {
        var guid = await DesireAsync(1);
        var cell = InstanceKey("cell-a");
        await ThrowsBbsAsync(() => Client.CrashActualLrpAsync(Key(guid, 0), cell, "boom"), ErrorType.ActualLrpcannotBeCrashed);

        await Client.ClaimActualLrpAsync(guid, 0, cell);
        await Client.StartActualLrpAsync(Key(guid, 0), cell, NetInfo());

        await ThrowsBbsAsync(() => Client.CrashActualLrpAsync(Key(guid, 0), InstanceKey("cell-b"), "boom"), ErrorType.ActualLrpcannotBeCrashed);
        Assert.Equal("RUNNING", (await Client.InstanceAsync(guid, 0)).State);
    }

    [Fact]
    public async Task FailingAnUnclaimedLrpRecordsThePlacementError()
    {
        var guid = await DesireAsync(1);

        await Client.FailActualLrpAsync(Key(guid, 0), "insufficient resources");

        var lrp = await Client.InstanceAsync(guid, 0);
        Assert.Equal("UNCLAIMED", lrp.State);
        Assert.Equal("insufficient resources", lrp.PlacementError);
    }

    [Fact]
    public async Task AnOverlongPlacementErrorIsTruncated()
    {
        var guid = await DesireAsync(1);

        await Client.FailActualLrpAsync(Key(guid, 0), new string('x', 2000));

        var lrp = await Client.InstanceAsync(guid, 0);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(lrp.PlacementError) <= 1024);
        Assert.EndsWith("(truncated)", lrp.PlacementError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailingAClaimedOrRunningLrpIsRefused()
    {
        var guid = await DesireAsync(1);
        var cell = InstanceKey("cell-a");
        await Client.ClaimActualLrpAsync(guid, 0, cell);
        await ThrowsBbsAsync(() => Client.FailActualLrpAsync(Key(guid, 0), "nope"), ErrorType.ActualLrpcannotBeFailed);

        await Client.StartActualLrpAsync(Key(guid, 0), cell, NetInfo());
        await ThrowsBbsAsync(() => Client.FailActualLrpAsync(Key(guid, 0), "nope"), ErrorType.ActualLrpcannotBeFailed);
    }

    [Fact]
    public async Task RemovingAnLrpDeletesIt()
    {
        var guid = await DesireAsync(1);

        await Client.RemoveActualLrpAsync(guid, 0);

        await ThrowsBbsAsync(() => Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0), ErrorType.ResourceNotFound);
    }

    [Fact]
    public async Task RemovingWithAnotherInstanceKeyIsNotFoundAndKeepsTheRecord()
    {
        var guid = await DesireAsync(1);
        await Client.ClaimActualLrpAsync(guid, 0, InstanceKey("cell-a"));

        await ThrowsBbsAsync(() => Client.RemoveActualLrpAsync(guid, 0, InstanceKey("cell-b")), ErrorType.ResourceNotFound);
        Assert.Equal("CLAIMED", (await Client.InstanceAsync(guid, 0)).State);
    }

    [Fact]
    public async Task RetiringAnUnclaimedLrpRemovesIt()
    {
        var guid = await DesireAsync(1);

        await Client.RetireActualLrpAsync(Key(guid, 0));

        await ThrowsBbsAsync(() => Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0), ErrorType.ResourceNotFound);
    }

    [Fact]
    public async Task RetiringARunningLrpOnAPresentCellAsksItsRepToStopIt()
    {
        var guid = await DesireAsync(1);
        var cellId = NewGuid("cell");
        await Server.RegisterCellAsync(cellId);
        var cell = InstanceKey(cellId);
        await Client.ClaimActualLrpAsync(guid, 0, cell);
        await Client.StartActualLrpAsync(Key(guid, 0), cell, NetInfo());

        await Client.RetireActualLrpAsync(Key(guid, 0));

        var stop = await Server.Rep.WaitForStopAsync(guid, cell.InstanceGuid, TimeSpan.FromSeconds(10));
        Assert.Equal(guid, stop.ProcessGuid);
        await ThrowsBbsAsync(() => Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0), ErrorType.ResourceNotFound);
    }

    [Fact]
    public async Task RetiringARunningLrpOnAMissingCellRemovesIt()
    {
        var guid = await DesireAsync(1);
        var cell = InstanceKey(NewGuid("gone-cell"));
        await Client.ClaimActualLrpAsync(guid, 0, cell);
        await Client.StartActualLrpAsync(Key(guid, 0), cell, NetInfo());

        await Client.RetireActualLrpAsync(Key(guid, 0));

        await ThrowsBbsAsync(() => Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0), ErrorType.ResourceNotFound);
        Assert.DoesNotContain(Server.Rep.Stops, s => s.ProcessGuid == guid);
    }

    [Fact]
    public async Task ThirtyTwoConcurrentClaimsHaveExactlyOneWinner()
    {
        var guid = await DesireAsync(1);
        var cells = Enumerable.Range(0, 32).Select(i => InstanceKey($"cell-{i}")).ToList();

        var results = await Task.WhenAll(cells.Select(async cell =>
        {
            try
            {
                await Client.ClaimActualLrpAsync(guid, 0, cell);
                return (Cell: cell, Error: (ErrorType?)null);
            }
            catch (Bbs.Client.BbsException ex)
            {
                return (Cell: cell, Error: ex.Type);
            }
        }));

        var winners = results.Where(r => r.Error is null).ToList();
        Assert.Single(winners);
        Assert.Equal(31, results.Count(r => r.Error == ErrorType.ActualLrpcannotBeClaimed));
        Assert.Equal(winners[0].Cell, (await Client.InstanceAsync(guid, 0)).ActualLrpInstanceKey);
    }

    [Fact]
    public async Task ListsFilterByDomainCellProcessGuidAndIndex()
    {
        var domain = NewGuid("domain");
        var guid = NewGuid();
        await Client.DesireLrpAsync(DesiredLrp(guid, 3, domain));
        var cellId = NewGuid("cell");
        await Client.ClaimActualLrpAsync(guid, 1, InstanceKey(cellId));

        Assert.Equal(3, (await Client.ActualLrpsAsync(new Bbs.Client.ActualLrpFilter(Domain: domain))).Count);
        var onCell = Assert.Single(await Client.ActualLrpsAsync(new Bbs.Client.ActualLrpFilter(CellId: cellId)));
        Assert.Equal(1, onCell.ActualLrpKey.Index);
        var indexZero = Assert.Single(await Client.ActualLrpsAsync(new Bbs.Client.ActualLrpFilter(ProcessGuid: guid, Index: 0)));
        Assert.Equal(0, indexZero.ActualLrpKey.Index);
        Assert.Equal(3, (await Client.ActualLrpGroupsByProcessGuidAsync(guid)).Count);
        Assert.Equal(3, (await Client.ActualLrpGroupsAsync(new Bbs.Client.ActualLrpFilter(Domain: domain))).Count);
        Assert.Equal(3, (await Client.ActualLrpsByProcessGuidsAsync([guid, NewGuid()])).Count);
    }

    protected async Task<string> DesireAsync(int instances)
    {
        var guid = NewGuid();
        await Client.DesireLrpAsync(DesiredLrp(guid, instances));
        return guid;
    }

    protected int AuctionsFor(string guid) => Server.Auctioneer.LrpAuctions.Count(a => a.ProcessGuid == guid);

    /// <summary>Rewrites a stored instance record directly in the store, as BBS's own tests write fixtures into etcd.</summary>
    protected async Task WriteInstanceAsync(string guid, int index, Action<ActualLRP> change)
    {
        var store = Server.GetService<IKeyValueStore>();
        var serializer = Server.GetService<RecordSerializer>();
        var key = Bbs.Db.Keys.ActualInstance(guid, index);
        var current = await store.GetAsync(key, CancellationToken.None);
        var lrp = serializer.Deserialize<ActualLRP>(current.Kv!.Value.Span);
        change(lrp);
        var result = await store.TxnAsync(
            TxnRequest.If(TxnCompare.ModRevisionIs(key, current.Kv.ModRevision)).Then(new PutOp(key, serializer.Serialize(lrp))),
            CancellationToken.None);
        Assert.True(result.Succeeded);
    }
}

public sealed class EmbeddedActualLrpLifecycleTests(EmbeddedBbsServer server) : ActualLrpLifecycleTests<EmbeddedBbsServer>(server), IClassFixture<EmbeddedBbsServer>;

public sealed class EtcdActualLrpLifecycleTests(EtcdBbsServer server) : ActualLrpLifecycleTests<EtcdBbsServer>(server), IClassFixture<EtcdBbsServer>;
