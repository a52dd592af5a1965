using Bbs.Client.Events;
using Bbs.Models;
using Bbs.Server.Tests.Support;
using Bbs.Server.Tests.Tasks;
using Bbs.Store;
using static Bbs.Server.Tests.Events.EventReader;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Events;

/// <summary>
/// Beyond BBS (decisions.md "Events"): a reader that reconnects with <c>Last-Event-ID</c> gets exactly the events it
/// missed, in order, once each. On the default server they come from the hub's memory; on a server without a
/// replay ring (event_replay_capacity 0), from the store's history.
/// </summary>
public abstract class EventResumeTests<TServer>(TServer server)
    where TServer : BbsServer
{
    protected TServer Server { get; } = server;

    protected Bbs.Client.BbsClient Client => Server.Client;

    [Fact]
    public async Task ReconnectingWithTheLastEventIdGivesExactlyTheMissedEventsInOrder()
    {
        await using var control = await LrpsAsync(Client);
        var guid = TestModels.NewGuid();
        var cell = TestModels.InstanceKey(TestModels.NewGuid("cell"));
        string resumeFrom;
        await using (var first = await LrpsAsync(Client))
        {
            await Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));
            resumeFrom = (await first.TakeForAsync(2, guid))[1].Id;
        }

        // Missed while disconnected.
        await Client.ClaimActualLrpAsync(guid, 0, cell);
        await Client.StartActualLrpAsync(TestModels.Key(guid, 0), cell, TestModels.NetInfo());

        await using var resumed = await LrpsAsync(Client, options: new BbsEventStreamOptions { LastEventId = resumeFrom });
        var missed = await resumed.TakeForAsync(2, guid);
        Assert.Equal("CLAIMED", As<ActualLRPChangedEvent>(missed[0], "actual_lrp_changed").After.Instance.State);
        Assert.Equal("RUNNING", As<ActualLRPChangedEvent>(missed[1], "actual_lrp_changed").After.Instance.State);

        // Then live, with nothing repeated.
        await Client.RemoveDesiredLrpAsync(guid);
        var live = await resumed.TakeForAsync(2, guid);
        Assert.Equal(["desired_lrp_removed", "actual_lrp_removed"], live.Select(e => e.Name));
        await resumed.AssertNoMoreLrpEventsAsync(Client, guid);
        AssertStrictlyIncreasing(resumed.Seen, after: resumeFrom);

        // Exactly what a reader that never disconnected saw after that point.
        var expected = await control.TakeForAsync(6, guid);
        Assert.Equal(
            expected.SkipWhile(e => e.Id != resumeFrom).Skip(1).Select(e => (e.Id, e.Name)),
            missed.Concat(live).Select(e => (e.Id, e.Name)));
    }

    [Fact]
    public async Task AResumeFromWithinATransactionsEventsGivesTheRestOfThem()
    {
        var guid = TestModels.NewGuid();
        List<BbsStreamEvent> desired;
        await using (var first = await LrpsAsync(Client))
        {
            // One transaction, one revision: desired_lrp_created and two actual_lrp_created.
            await Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 2));
            desired = await first.TakeForAsync(3, guid);
        }

        Assert.Single(desired.Select(e => Position(e.Id).Revision).Distinct());
        await Client.RemoveDesiredLrpAsync(guid);

        await using var resumed = await LrpsAsync(Client, options: new BbsEventStreamOptions { LastEventId = desired[1].Id });
        var rest = await resumed.TakeForAsync(4, guid);

        Assert.Equal((desired[2].Id, desired[2].Name), (rest[0].Id, rest[0].Name));
        Assert.Equal(["desired_lrp_removed", "actual_lrp_removed", "actual_lrp_removed"], rest.Skip(1).Select(e => e.Name));
        AssertStrictlyIncreasing(resumed.Seen, after: desired[1].Id);
    }

    [Fact]
    public async Task ReplayedEventsCarryTheSamePayloadsAsTheLiveOnes()
    {
        await using var control = await LrpsAsync(Client);
        var guid = TestModels.NewGuid();
        string resumeFrom;
        await using (var first = await LrpsAsync(Client))
        {
            await Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));
            resumeFrom = (await first.TakeForAsync(2, guid))[1].Id;
        }

        // Missed: a change of the scheduling info alone (its event joins in the run info), then the removal.
        await Client.UpdateDesiredLrpAsync(guid, new DesiredLRPUpdate { Annotation = "changed" });
        var live = (await control.TakeForAsync(3, guid))[2];
        await Client.RemoveDesiredLrpAsync(guid);

        await using var resumed = await LrpsAsync(Client, options: new BbsEventStreamOptions { LastEventId = resumeFrom });
        var replayed = await resumed.TakeForAsync(3, guid);

        Assert.Equal(["desired_lrp_changed", "desired_lrp_removed", "actual_lrp_removed"], replayed.Select(e => e.Name));
        var changed = As<DesiredLRPChangedEvent>(live, "desired_lrp_changed");
        Assert.Equal("/bin/app", changed.After.Action.RunAction.Path);
        Assert.Equal(live.Id, replayed[0].Id);
        Assert.Equal(changed, As<DesiredLRPChangedEvent>(replayed[0], "desired_lrp_changed"));
        Assert.Equal((await control.TakeForAsync(2, guid)).Select(e => (e.Id, e.Name, e.Message)), replayed.Skip(1).Select(e => (e.Id, e.Name, e.Message)));
    }

    [Fact]
    public async Task AResumeWithTheLastEventIdHeaderGetsTheMissedFramesOnTheTaskStream()
    {
        var cell = TaskTestSupport.NewCellId();
        string resumeFrom;
        string guid;
        await using (var first = await TasksAsync(Client))
        {
            guid = await Server.DesirePendingAsync();
            resumeFrom = (await first.TakeForAsync(1, guid))[0].Id;
        }

        Assert.True(await Client.StartTaskAsync(guid, cell));
        await Client.CancelTaskAsync(guid);

        await using var raw = await RawEventStream.OpenAsync(Server.Http, HttpMethod.Post, "/v1/events/tasks.r1", lastEventId: resumeFrom);
        var frames = new List<BbsStreamEvent>();
        while (frames.Count < 2)
        {
            var frame = await raw.NextFrameAsync();
            Assert.NotNull(frame);
            var e = RawEventStream.Decode(RawEventStream.Parse(frame));
            if (GuidOf(e) == guid)
            {
                frames.Add(e);
            }
        }

        AssertStrictlyIncreasing(frames, after: resumeFrom);
        Assert.Equal(Bbs.Models.Task.Types.State.Running, As<TaskChangedEvent>(frames[0], "task_changed").After.State);
        var cancelled = As<TaskChangedEvent>(frames[1], "task_changed").After;
        Assert.Equal(Bbs.Models.Task.Types.State.Completed, cancelled.State);
        Assert.True(cancelled.Failed);
        Assert.Equal("task was cancelled", cancelled.FailureReason);
    }
}

public sealed class EmbeddedEventResumeFromMemoryTests(EmbeddedBbsServer server) : EventResumeTests<EmbeddedBbsServer>(server), IClassFixture<EmbeddedBbsServer>;

public sealed class EtcdEventResumeFromMemoryTests(EtcdBbsServer server) : EventResumeTests<EtcdBbsServer>(server), IClassFixture<EtcdBbsServer>;

/// <summary>Resumes served from the store's history, and what happens when that history was compacted.</summary>
public abstract class EventResumeFromHistoryTests<TServer>(TServer server) : EventResumeTests<TServer>(server)
    where TServer : BbsServer
{
    [Fact]
    public async Task AResumePointOlderThanTheStoresHistoryGivesResyncRequiredFirstThenLiveEvents()
    {
        var guid = TestModels.NewGuid();
        var cell = TestModels.InstanceKey(TestModels.NewGuid("cell"));
        string resumeFrom;
        await using (var first = await LrpsAsync(Client))
        {
            await Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));
            resumeFrom = (await first.TakeForAsync(2, guid))[1].Id;
        }

        await Client.ClaimActualLrpAsync(guid, 0, cell); // lost with the history
        var store = Server.GetService<IKeyValueStore>();
        await store.CompactAsync(await store.GetRevisionAsync(CancellationToken.None), CancellationToken.None);

        await using var resumed = await LrpsAsync(Client, options: new BbsEventStreamOptions { LastEventId = resumeFrom });
        var resync = Assert.IsType<ResyncRequiredEvent>(await resumed.NextAsync());
        Assert.Equal(BbsEventNames.ResyncRequired, resync.Name);
        Assert.Equal(Error.Types.Type.ResourceNotFound, resync.Error.Type);
        Assert.NotEmpty(resync.Error.Message);
        Assert.True(Position(resync.Id).CompareTo(Position(resumeFrom)) > 0);

        await Client.StartActualLrpAsync(TestModels.Key(guid, 0), cell, TestModels.NetInfo());
        var live = As<ActualLRPChangedEvent>((await resumed.TakeForAsync(1, guid))[0], "actual_lrp_changed");
        Assert.Equal("CLAIMED", live.Before.Instance.State);
        Assert.Equal("RUNNING", live.After.Instance.State);
        AssertStrictlyIncreasing(resumed.Seen);
    }
}

public sealed class EmbeddedEventResumeFromHistoryTests(EmbeddedBbsServerWithoutReplayRing server)
    : EventResumeFromHistoryTests<EmbeddedBbsServerWithoutReplayRing>(server), IClassFixture<EmbeddedBbsServerWithoutReplayRing>;

public sealed class EtcdEventResumeFromHistoryTests(EtcdBbsServerWithoutReplayRing server)
    : EventResumeFromHistoryTests<EtcdBbsServerWithoutReplayRing>(server), IClassFixture<EtcdBbsServerWithoutReplayRing>;
