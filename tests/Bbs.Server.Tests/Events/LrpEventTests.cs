using Bbs.Client.Events;
using Bbs.Models;
using Bbs.Server.Tests.Support;
using static Bbs.Server.Tests.Events.EventReader;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Events;

/// <summary>
/// What the LRP streams carry for an LRP's life (bbs-protocol.md §10 case 29 and the sequences observed in §12),
/// read with <see cref="Bbs.Client.BbsClient"/>'s event-stream reader.
/// </summary>
public abstract class LrpEventTests<TServer>(TServer server)
    where TServer : BbsServer
{
    protected TServer Server { get; } = server;

    private Bbs.Client.BbsClient Client => Server.Client;

    [Fact]
    public async Task ALifecycleGivesTheObservedSequenceOnTheGroupStream()
    {
        await using var events = await LrpsAsync(Client);
        var (guid, cell) = await RunLifecycleAsync();

        var seen = await events.TakeForAsync(8, guid);

        Assert.Equal(
            ["desired_lrp_created", "actual_lrp_created", "actual_lrp_changed", "actual_lrp_changed", "actual_lrp_crashed", "actual_lrp_changed", "desired_lrp_removed", "actual_lrp_removed"],
            seen.Select(e => e.Name));
        AssertStrictlyIncreasing(seen);

        var desired = As<DesiredLRPCreatedEvent>(seen[0], "desired_lrp_created").DesiredLrp;
        Assert.Equal(guid, desired.ProcessGuid);
        Assert.Equal(1, desired.Instances);
        Assert.Equal(TestModels.Domain, desired.Domain);
        Assert.Equal("/bin/app", desired.Action.RunAction.Path);

        var created = As<ActualLRPCreatedEvent>(seen[1], "actual_lrp_created").ActualLrpGroup;
        Assert.Null(created.Evacuating);
        Assert.Equal("UNCLAIMED", created.Instance.State);
        Assert.Equal(TestModels.Key(guid, 0), created.Instance.ActualLrpKey);

        var claimed = As<ActualLRPChangedEvent>(seen[2], "actual_lrp_changed");
        Assert.Equal("UNCLAIMED", claimed.Before.Instance.State);
        Assert.Equal("CLAIMED", claimed.After.Instance.State);
        Assert.Equal(cell, claimed.After.Instance.ActualLrpInstanceKey);

        var started = As<ActualLRPChangedEvent>(seen[3], "actual_lrp_changed");
        Assert.Equal("CLAIMED", started.Before.Instance.State);
        Assert.Equal("RUNNING", started.After.Instance.State);
        Assert.Equal(TestModels.NetInfo(), started.After.Instance.ActualLrpNetInfo);
        Assert.True(started.After.Instance.Routable);

        var crashed = As<ActualLRPCrashedEvent>(seen[4], "actual_lrp_crashed");
        Assert.Equal(TestModels.Key(guid, 0), crashed.ActualLrpKey);
        Assert.Equal(cell, crashed.ActualLrpInstanceKey);
        Assert.Equal(1, crashed.CrashCount);
        Assert.Equal("boom", crashed.CrashReason);
        Assert.NotEqual(0, crashed.Since);

        var restarted = As<ActualLRPChangedEvent>(seen[5], "actual_lrp_changed");
        Assert.Equal("RUNNING", restarted.Before.Instance.State);
        Assert.Equal("UNCLAIMED", restarted.After.Instance.State);
        Assert.Equal(1, restarted.After.Instance.CrashCount);
        Assert.Equal("boom", restarted.After.Instance.CrashReason);
        Assert.Equal(crashed.Since, restarted.After.Instance.Since);

        Assert.Equal(guid, As<DesiredLRPRemovedEvent>(seen[6], "desired_lrp_removed").DesiredLrp.ProcessGuid);

        var removed = As<ActualLRPRemovedEvent>(seen[7], "actual_lrp_removed").ActualLrpGroup;
        Assert.Null(removed.Evacuating);
        Assert.Equal("UNCLAIMED", removed.Instance.State);
        Assert.Equal(TestModels.Key(guid, 0), removed.Instance.ActualLrpKey);

        await events.AssertNoMoreLrpEventsAsync(Client, guid);
    }

    [Fact]
    public async Task ALifecycleGivesTheObservedSequenceOnTheInstanceStream()
    {
        await using var events = await InstancesAsync(Client);
        var (guid, cell) = await RunLifecycleAsync();

        var seen = await events.TakeForAsync(9, guid);

        Assert.Equal(
            [
                "desired_lrp_created", "actual_lrp_instance_created", "actual_lrp_instance_changed", "actual_lrp_instance_changed", "actual_lrp_crashed",
                "actual_lrp_instance_created", "actual_lrp_instance_removed", "desired_lrp_removed", "actual_lrp_instance_removed",
            ],
            seen.Select(e => e.Name));
        AssertStrictlyIncreasing(seen);

        Assert.Equal(guid, As<DesiredLRPCreatedEvent>(seen[0], "desired_lrp_created").DesiredLrp.ProcessGuid);

        var created = As<ActualLRPInstanceCreatedEvent>(seen[1], "actual_lrp_instance_created").ActualLrp;
        Assert.Equal("UNCLAIMED", created.State);
        Assert.Equal(TestModels.Key(guid, 0), created.ActualLrpKey);

        var claimed = As<ActualLRPInstanceChangedEvent>(seen[2], "actual_lrp_instance_changed");
        Assert.Equal(TestModels.Key(guid, 0), claimed.ActualLrpKey);
        Assert.Equal(cell, claimed.ActualLrpInstanceKey);
        Assert.Equal("UNCLAIMED", claimed.Before.State);
        Assert.Equal("CLAIMED", claimed.After.State);

        var started = As<ActualLRPInstanceChangedEvent>(seen[3], "actual_lrp_instance_changed");
        Assert.Equal(cell, started.ActualLrpInstanceKey);
        Assert.Equal("CLAIMED", started.Before.State);
        Assert.Equal("RUNNING", started.After.State);
        Assert.Equal(TestModels.NetInfo(), started.After.ActualLrpNetInfo);
        Assert.True(started.After.Routable);

        var crashed = As<ActualLRPCrashedEvent>(seen[4], "actual_lrp_crashed");
        Assert.Equal(cell, crashed.ActualLrpInstanceKey);
        Assert.Equal(1, crashed.CrashCount);
        Assert.Equal("boom", crashed.CrashReason);

        // The restart: a new UNCLAIMED instance takes the slot, then the crashed one is gone.
        var replacement = As<ActualLRPInstanceCreatedEvent>(seen[5], "actual_lrp_instance_created").ActualLrp;
        Assert.Equal("UNCLAIMED", replacement.State);
        Assert.Equal(1, replacement.CrashCount);
        Assert.Equal(string.Empty, replacement.ActualLrpInstanceKey?.CellId ?? string.Empty);
        var old = As<ActualLRPInstanceRemovedEvent>(seen[6], "actual_lrp_instance_removed").ActualLrp;
        Assert.Equal("RUNNING", old.State);
        Assert.Equal(cell, old.ActualLrpInstanceKey);

        Assert.Equal(guid, As<DesiredLRPRemovedEvent>(seen[7], "desired_lrp_removed").DesiredLrp.ProcessGuid);
        var removed = As<ActualLRPInstanceRemovedEvent>(seen[8], "actual_lrp_instance_removed").ActualLrp;
        Assert.Equal("UNCLAIMED", removed.State);
        Assert.Equal(TestModels.Key(guid, 0), removed.ActualLrpKey);

        await events.AssertNoMoreLrpEventsAsync(Client, guid);
    }

    [Fact]
    public async Task UpdatingTheInstancesGivesDesiredLrpChangedWithBeforeAndAfter()
    {
        await using var events = await LrpsAsync(Client);
        var guid = TestModels.NewGuid();
        await Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));
        await Client.UpdateDesiredLrpAsync(guid, new DesiredLRPUpdate { Instances = 2, Annotation = "scaled" });

        var seen = await events.TakeForAsync(4, guid);

        Assert.Equal(["desired_lrp_created", "actual_lrp_created", "desired_lrp_changed", "actual_lrp_created"], seen.Select(e => e.Name));
        var changed = As<DesiredLRPChangedEvent>(seen[2], "desired_lrp_changed");
        Assert.Equal(guid, changed.Before.ProcessGuid);
        Assert.Equal(1, changed.Before.Instances);
        Assert.Equal(string.Empty, changed.Before.Annotation);
        Assert.Equal(2, changed.After.Instances);
        Assert.Equal("scaled", changed.After.Annotation);
        Assert.Equal(changed.Before.ModificationTag.Index + 1, changed.After.ModificationTag.Index);
        Assert.Equal(changed.Before.Action, changed.After.Action); // the run info is joined into both
        Assert.Equal(1, As<ActualLRPCreatedEvent>(seen[3], "actual_lrp_created").ActualLrpGroup.Instance.ActualLrpKey.Index);
    }

    [Fact]
    public async Task AnEvacuatingRecordWhoseLeaseExpiresGivesActualLrpRemovedWithTheEvacuatingSlot()
    {
        await using var events = await LrpsAsync(Client);
        var guid = TestModels.NewGuid();
        var cell = TestModels.InstanceKey(TestModels.NewGuid("cell"));
        await Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));
        await Client.ClaimActualLrpAsync(guid, 0, cell);
        await Client.StartActualLrpAsync(TestModels.Key(guid, 0), cell, TestModels.NetInfo());

        Assert.True(await Client.EvacuateRunningActualLrpAsync(TestModels.Key(guid, 0), cell, TestModels.NetInfo(), ttl: TimeSpan.FromSeconds(1)));

        var seen = await events.TakeForAsync(7, guid);
        Assert.Equal(
            ["desired_lrp_created", "actual_lrp_created", "actual_lrp_changed", "actual_lrp_changed", "actual_lrp_changed", "actual_lrp_created", "actual_lrp_removed"],
            seen.Select(e => e.Name));

        var unclaimed = As<ActualLRPChangedEvent>(seen[4], "actual_lrp_changed");
        Assert.Equal("RUNNING", unclaimed.Before.Instance.State);
        Assert.Equal("UNCLAIMED", unclaimed.After.Instance.State);

        var evacuating = As<ActualLRPCreatedEvent>(seen[5], "actual_lrp_created").ActualLrpGroup;
        Assert.Null(evacuating.Instance);
        Assert.Equal("RUNNING", evacuating.Evacuating.State);
        Assert.Equal(cell, evacuating.Evacuating.ActualLrpInstanceKey);

        // The lease expiry (about 1 s later) is a delete of the evacuating key.
        var expired = As<ActualLRPRemovedEvent>(seen[6], "actual_lrp_removed").ActualLrpGroup;
        Assert.Null(expired.Instance);
        Assert.NotNull(expired.Evacuating);
        Assert.Equal(TestModels.Key(guid, 0), expired.Evacuating.ActualLrpKey);
        Assert.Equal(cell, expired.Evacuating.ActualLrpInstanceKey);
        Assert.Equal(TestModels.NetInfo(), expired.Evacuating.ActualLrpNetInfo);
        Assert.Equal("UNCLAIMED", (await Client.InstanceAsync(guid, 0)).State);
    }

    [Fact]
    public async Task RetiringARunningInstanceOnAPresentCellGivesItsRemovedEventsAtOnce()
    {
        await using var groups = await LrpsAsync(Client);
        await using var instances = await InstancesAsync(Client);
        var guid = TestModels.NewGuid();
        var cell = TestModels.InstanceKey(TestModels.NewGuid("cell"));
        await Server.RegisterCellAsync(cell.CellId);
        await Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));
        await Client.ClaimActualLrpAsync(guid, 0, cell);
        await Client.StartActualLrpAsync(TestModels.Key(guid, 0), cell, TestModels.NetInfo());

        await Client.RetireActualLrpAsync(TestModels.Key(guid, 0));

        var group = await groups.TakeForAsync(5, guid);
        var removed = As<ActualLRPRemovedEvent>(group[4], "actual_lrp_removed").ActualLrpGroup.Instance;
        Assert.Equal("RUNNING", removed.State);
        Assert.Equal(cell, removed.ActualLrpInstanceKey);
        var instance = await instances.TakeForAsync(5, guid);
        Assert.Equal(cell, As<ActualLRPInstanceRemovedEvent>(instance[4], "actual_lrp_instance_removed").ActualLrp.ActualLrpInstanceKey);
    }

    [Fact]
    public async Task ACellFilterPassesThatCellsActualEventsAndEveryDesiredEvent()
    {
        var cellA = TestModels.InstanceKey(TestModels.NewGuid("cell-a"));
        var cellB = TestModels.InstanceKey(TestModels.NewGuid("cell-b"));
        await using var groups = await LrpsAsync(Client, cellA.CellId); // GET /v1/events.r1 with an EventsByCellId body
        await using var instances = await InstancesAsync(Client, cellA.CellId); // POST /v1/events/lrp_instances.r1
        await using var everything = await LrpsAsync(Client);
        var guid = TestModels.NewGuid();

        await Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 2));
        await Client.ClaimActualLrpAsync(guid, 0, cellA);
        await Client.ClaimActualLrpAsync(guid, 1, cellB);
        await Client.StartActualLrpAsync(TestModels.Key(guid, 0), cellA, TestModels.NetInfo());
        await Client.StartActualLrpAsync(TestModels.Key(guid, 1), cellB, TestModels.NetInfo("10.0.0.2"));
        await Client.RemoveDesiredLrpAsync(guid);

        // Unfiltered: both cells' events (2 created, 4 changed, 2 removed) and the desired ones.
        Assert.Equal(10, (await everything.TakeForAsync(10, guid)).Count);

        var group = await groups.TakeForAsync(5, guid);
        Assert.Equal(["desired_lrp_created", "actual_lrp_changed", "actual_lrp_changed", "desired_lrp_removed", "actual_lrp_removed"], group.Select(e => e.Name));
        Assert.Equal(cellA, As<ActualLRPChangedEvent>(group[1], "actual_lrp_changed").After.Instance.ActualLrpInstanceKey);
        Assert.Equal("RUNNING", As<ActualLRPChangedEvent>(group[2], "actual_lrp_changed").After.Instance.State);
        Assert.Equal(cellA, As<ActualLRPRemovedEvent>(group[4], "actual_lrp_removed").ActualLrpGroup.Instance.ActualLrpInstanceKey);
        await groups.AssertNoMoreLrpEventsAsync(Client, guid);

        var instance = await instances.TakeForAsync(5, guid);
        Assert.Equal(
            ["desired_lrp_created", "actual_lrp_instance_changed", "actual_lrp_instance_changed", "desired_lrp_removed", "actual_lrp_instance_removed"],
            instance.Select(e => e.Name));
        Assert.All(instance.Skip(1).Take(2), e => Assert.Equal(cellA, As<ActualLRPInstanceChangedEvent>(e, "actual_lrp_instance_changed").ActualLrpInstanceKey));
        Assert.Equal(cellA, As<ActualLRPInstanceRemovedEvent>(instance[4], "actual_lrp_instance_removed").ActualLrp.ActualLrpInstanceKey);
        await instances.AssertNoMoreLrpEventsAsync(Client, guid);
    }

    /// <summary>desire(1) → claim → start → crash (the first: restarted at once) → remove the desired LRP.</summary>
    private async Task<(string Guid, ActualLRPInstanceKey Cell)> RunLifecycleAsync()
    {
        var guid = TestModels.NewGuid();
        var cell = TestModels.InstanceKey(TestModels.NewGuid("cell"));
        await Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));
        await Client.ClaimActualLrpAsync(guid, 0, cell);
        await Client.StartActualLrpAsync(TestModels.Key(guid, 0), cell, TestModels.NetInfo());
        await Client.CrashActualLrpAsync(TestModels.Key(guid, 0), cell, "boom");
        await Client.RemoveDesiredLrpAsync(guid);
        return (guid, cell);
    }
}

public sealed class EmbeddedLrpEventTests(EmbeddedBbsServer server) : LrpEventTests<EmbeddedBbsServer>(server), IClassFixture<EmbeddedBbsServer>;

public sealed class EtcdLrpEventTests(EtcdBbsServer server) : LrpEventTests<EtcdBbsServer>(server), IClassFixture<EtcdBbsServer>;
