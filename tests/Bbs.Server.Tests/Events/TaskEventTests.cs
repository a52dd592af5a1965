using Bbs.Models;
using Bbs.Server.Tests.Support;
using Bbs.Server.Tests.Tasks;
using static Bbs.Server.Tests.Events.EventReader;
using State = Bbs.Models.Task.Types.State;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Events;

/// <summary>The task stream over a task's life (bbs-protocol.md §12 "Task stream").</summary>
public abstract class TaskEventTests<TServer>(TServer server)
    where TServer : BbsServer
{
    protected TServer Server { get; } = server;

    [Fact]
    public async Task ATasksLifecycleGivesCreatedThenAChangePerTransitionThenRemoved()
    {
        await using var events = await TasksAsync(Server.Client);
        var cell = TaskTestSupport.NewCellId();
        var guid = await Server.DesireRunningAsync(cell);
        await Server.Client.CompleteTaskAsync(guid, cell, failed: false, failureReason: "", result: "x");
        await Server.Client.ResolvingTaskAsync(guid);
        await Server.Client.DeleteTaskAsync(guid);

        var seen = await events.TakeForAsync(5, guid);

        Assert.Equal(["task_created", "task_changed", "task_changed", "task_changed", "task_removed"], seen.Select(e => e.Name));
        AssertStrictlyIncreasing(seen);

        var created = As<TaskCreatedEvent>(seen[0], "task_created").Task;
        Assert.Equal(State.Pending, created.State);
        Assert.Equal(TestModels.Domain, created.Domain);
        Assert.Equal("/bin/true", created.TaskDefinition.Action.RunAction.Path);

        var running = As<TaskChangedEvent>(seen[1], "task_changed");
        Assert.Equal(State.Pending, running.Before.State);
        Assert.Equal(State.Running, running.After.State);
        Assert.Equal(cell, running.After.CellId);

        var completed = As<TaskChangedEvent>(seen[2], "task_changed");
        Assert.Equal(State.Running, completed.Before.State);
        Assert.Equal(State.Completed, completed.After.State);
        Assert.Equal(string.Empty, completed.After.CellId);
        Assert.False(completed.After.Failed);
        Assert.Equal("x", completed.After.Result);
        Assert.Equal(completed.After.UpdatedAt, completed.After.FirstCompletedAt);

        var resolving = As<TaskChangedEvent>(seen[3], "task_changed");
        Assert.Equal(State.Completed, resolving.Before.State);
        Assert.Equal(State.Resolving, resolving.After.State);

        var removed = As<TaskRemovedEvent>(seen[4], "task_removed").Task;
        Assert.Equal(guid, removed.TaskGuid);
        Assert.Equal(State.Resolving, removed.State);

        var marker = TaskTestSupport.NewTaskGuid();
        await events.AssertNothingMoreForAsync(guid, marker, () => Server.Client.DesireTaskAsync(marker, TestModels.Domain, TaskTestSupport.Definition()));
    }

    [Fact]
    public async Task TheTaskStreamCarriesNoLrpEventsAndTheLrpStreamsNoTaskEvents()
    {
        await using var tasks = await TasksAsync(Server.Client);
        await using var lrps = await LrpsAsync(Server.Client);
        await using var instances = await InstancesAsync(Server.Client);
        var processGuid = TestModels.NewGuid();
        await Server.Client.DesireLrpAsync(TestModels.DesiredLrp(processGuid, 1));
        var taskGuid = await Server.DesirePendingAsync();

        Assert.Equal("task_created", (await tasks.TakeForAsync(1, taskGuid, processGuid))[0].Name);
        Assert.Equal("desired_lrp_created", (await lrps.TakeForAsync(1, taskGuid, processGuid))[0].Name);
        Assert.Equal("actual_lrp_created", (await lrps.TakeForAsync(1, taskGuid, processGuid))[0].Name);
        Assert.Equal("desired_lrp_created", (await instances.TakeForAsync(1, taskGuid, processGuid))[0].Name);
        Assert.Equal("actual_lrp_instance_created", (await instances.TakeForAsync(1, taskGuid, processGuid))[0].Name);

        await lrps.AssertNoMoreLrpEventsAsync(Server.Client, taskGuid);
        await instances.AssertNoMoreLrpEventsAsync(Server.Client, taskGuid);
        var marker = TaskTestSupport.NewTaskGuid();
        await tasks.AssertNothingMoreForAsync(processGuid, marker, () => Server.Client.DesireTaskAsync(marker, TestModels.Domain, TaskTestSupport.Definition()));
        Assert.All(tasks.Seen, e => Assert.StartsWith("task_", e.Name, StringComparison.Ordinal));
        Assert.All(lrps.Seen, e => Assert.DoesNotContain("task", e.Name, StringComparison.Ordinal));
    }
}

public sealed class EmbeddedTaskEventTests(EmbeddedBbsServer server) : TaskEventTests<EmbeddedBbsServer>(server), IClassFixture<EmbeddedBbsServer>;

public sealed class EtcdTaskEventTests(EtcdBbsServer server) : TaskEventTests<EtcdBbsServer>(server), IClassFixture<EtcdBbsServer>;
