using Bbs.Models.Rules;

namespace Bbs.Models.Tests.Rules;

// bbs-protocol.md §4.3, the task cases 21-24 of §10 and the messages observed in §12.
public sealed class TaskLifecycleTests
{
    private const long Created = 1_700_000_000_000_000_000L;
    private const long Now = Created + 5_000_000_000L;

    [Fact]
    public void ADesiredTaskIsPendingWithBothTimesNow()
    {
        var request = new DesireTaskRequest
        {
            TaskGuid = "t1",
            Domain = "d",
            TaskDefinition = new TaskDefinition { RootFs = "preloaded:cflinuxfs4" },
        };

        var task = TaskLifecycle.NewPending(request, Created);

        Assert.Equal(Task.Types.State.Pending, task.State);
        Assert.Equal("t1", task.TaskGuid);
        Assert.Equal("d", task.Domain);
        Assert.Equal(Created, task.CreatedAt);
        Assert.Equal(Created, task.UpdatedAt);
        Assert.Equal(0, task.FirstCompletedAt);
        Assert.Equal(request.TaskDefinition, task.TaskDefinition);
        Assert.NotSame(request.TaskDefinition, task.TaskDefinition);
    }

    [Fact]
    public void TheHappyPathRunsFromPendingToDeleted()
    {
        var pending = Pending();

        var started = TaskLifecycle.Start(pending, "cell-a", Now);
        var running = started.Record!;
        Assert.True(started.IsChanged); // should_start = true
        Assert.Equal(Task.Types.State.Running, running.State);
        Assert.Equal("cell-a", running.CellId);
        Assert.Equal(Now, running.UpdatedAt);

        var again = TaskLifecycle.Start(running, "cell-a", Now + 1);
        Assert.True(again.IsNoOp); // should_start = false, no error

        var completed = TaskLifecycle.Complete(running, "cell-a", failed: false, failureReason: string.Empty, result: "x", Now + 2).Record!;
        Assert.Equal(Task.Types.State.Completed, completed.State);
        Assert.Equal(string.Empty, completed.CellId);
        Assert.Equal("x", completed.Result);
        Assert.False(completed.Failed);
        Assert.Equal(Now + 2, completed.FirstCompletedAt);
        Assert.Equal(Now + 2, completed.UpdatedAt);

        var resolving = TaskLifecycle.Resolving(completed, Now + 3).Record!;
        Assert.Equal(Task.Types.State.Resolving, resolving.State);
        Assert.Equal(Now + 3, resolving.UpdatedAt);
        Assert.Equal(Now + 2, resolving.FirstCompletedAt);

        Assert.Same(resolving, TaskLifecycle.Delete(resolving).Record);
        Assert.Equal(Task.Types.State.Pending, pending.State); // inputs are left alone
    }

    public static TheoryData<string, Error.Types.Type, string> Refusals => new()
    {
        { "start on cell-b while running on cell-a", Error.Types.Type.InvalidStateTransition, "Cannot transition from Running to Running" },
        { "start a completed task", Error.Types.Type.InvalidStateTransition, "Cannot transition from Completed to Running" },
        { "complete on cell-b while running on cell-a", Error.Types.Type.RunningOnDifferentCell, "Running on cell cell-a not cell-b" },
        { "complete a pending task", Error.Types.Type.InvalidStateTransition, "Cannot transition from Pending to Completed" },
        { "complete a completed task", Error.Types.Type.InvalidStateTransition, "Cannot transition from Completed to Completed" },
        { "resolve a running task", Error.Types.Type.InvalidStateTransition, "Cannot transition from Running to Resolving" },
        { "resolve a resolving task", Error.Types.Type.InvalidStateTransition, "Cannot transition from Resolving to Resolving" },
        { "delete a completed task", Error.Types.Type.InvalidStateTransition, "Cannot transition from Completed to Resolving" },
        { "delete a running task", Error.Types.Type.InvalidStateTransition, "Cannot transition from Running to Resolving" },
        { "delete a pending task", Error.Types.Type.InvalidStateTransition, "Cannot transition from Pending to Resolving" },
        { "cancel a completed task", Error.Types.Type.InvalidStateTransition, "Cannot transition from Completed to Completed" },
        { "cancel a resolving task", Error.Types.Type.InvalidStateTransition, "Cannot transition from Resolving to Completed" },
        { "fail a completed task", Error.Types.Type.InvalidStateTransition, "Cannot transition from Completed to Completed" },
        { "reject a completed task", Error.Types.Type.InvalidRequest, "the request received is invalid" },
        { "reject a resolving task", Error.Types.Type.InvalidRequest, "the request received is invalid" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void TaskErrorsCarryBbsTypesAndMessages(string operation, Error.Types.Type type, string message)
    {
        var outcome = operation switch
        {
            "start on cell-b while running on cell-a" => TaskLifecycle.Start(RunningOn("cell-a"), "cell-b", Now),
            "start a completed task" => TaskLifecycle.Start(InState(Task.Types.State.Completed), "cell-a", Now),
            "complete on cell-b while running on cell-a" => TaskLifecycle.Complete(RunningOn("cell-a"), "cell-b", false, "", "r", Now),
            "complete a pending task" => TaskLifecycle.Complete(Pending(), "cell-a", false, "", "r", Now),
            "complete a completed task" => TaskLifecycle.Complete(InState(Task.Types.State.Completed), "cell-a", false, "", "r", Now),
            "resolve a running task" => TaskLifecycle.Resolving(RunningOn("cell-a"), Now),
            "resolve a resolving task" => TaskLifecycle.Resolving(InState(Task.Types.State.Resolving), Now),
            "delete a completed task" => TaskLifecycle.Delete(InState(Task.Types.State.Completed)),
            "delete a running task" => TaskLifecycle.Delete(RunningOn("cell-a")),
            "delete a pending task" => TaskLifecycle.Delete(Pending()),
            "cancel a completed task" => TaskLifecycle.Cancel(InState(Task.Types.State.Completed), Now),
            "cancel a resolving task" => TaskLifecycle.Cancel(InState(Task.Types.State.Resolving), Now),
            "fail a completed task" => TaskLifecycle.Fail(InState(Task.Types.State.Completed), "why", Now),
            "reject a completed task" => TaskLifecycle.Reject(InState(Task.Types.State.Completed), "why", 3, Now),
            "reject a resolving task" => TaskLifecycle.Reject(InState(Task.Types.State.Resolving), "why", 3, Now),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };

        Assert.Null(outcome.Record);
        Assert.Equal(type, outcome.Error!.Type);
        Assert.Equal(message, outcome.Error.Message);
    }

    [Fact]
    public void EveryOperationOnAMissingTaskIsNotFound()
    {
        var outcomes = new[]
        {
            TaskLifecycle.Start(null, "c", Now),
            TaskLifecycle.Cancel(null, Now),
            TaskLifecycle.Fail(null, "r", Now),
            TaskLifecycle.Reject(null, "r", 0, Now),
            TaskLifecycle.Complete(null, "c", false, "", "", Now),
            TaskLifecycle.Resolving(null, Now),
            TaskLifecycle.Delete(null),
        };

        Assert.All(outcomes, o => Assert.Equal(Error.Types.Type.ResourceNotFound, o.Error!.Type));
    }

    [Theory]
    [InlineData(Task.Types.State.Pending)]
    [InlineData(Task.Types.State.Running)]
    public void CancellingAPendingOrRunningTaskCompletesItAsFailed(Task.Types.State state)
    {
        var current = state == Task.Types.State.Running ? RunningOn("cell-a") : Pending();
        current.Result = "partial";

        var cancelled = TaskLifecycle.Cancel(current, Now).Record!;

        Assert.Equal(Task.Types.State.Completed, cancelled.State);
        Assert.True(cancelled.Failed);
        Assert.Equal("task was cancelled", cancelled.FailureReason);
        Assert.Equal(string.Empty, cancelled.Result);
        Assert.Equal(string.Empty, cancelled.CellId);
        Assert.Equal(Now, cancelled.FirstCompletedAt);
        Assert.Equal(Now, cancelled.UpdatedAt);
        Assert.Equal(state == Task.Types.State.Running ? "cell-a" : string.Empty, current.CellId); // the rep to tell
    }

    [Fact]
    public void FailingARunningTaskRecordsTheReason()
    {
        var failed = TaskLifecycle.Fail(RunningOn("cell-a"), "out of memory", Now).Record!;

        Assert.Equal(Task.Types.State.Completed, failed.State);
        Assert.True(failed.Failed);
        Assert.Equal("out of memory", failed.FailureReason);
    }

    [Fact]
    public void CompletingAsFailedKeepsTheCellsReasonAndResult()
    {
        var completed = TaskLifecycle.Complete(RunningOn("cell-a"), "cell-a", failed: true, failureReason: "exit 2", result: "log", Now).Record!;

        Assert.True(completed.Failed);
        Assert.Equal("exit 2", completed.FailureReason);
        Assert.Equal("log", completed.Result);
    }

    [Fact]
    public void ALongFailureReasonIsTruncated()
    {
        var completed = TaskLifecycle.Complete(RunningOn("cell-a"), "cell-a", true, new string('f', 2000), "", Now).Record!;

        Assert.Equal(1024, completed.FailureReason.Length);
        Assert.EndsWith("(truncated)", completed.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public void WithNoRetriesARejectFailsTheTaskWithTheRejectionReason()
    {
        var outcome = TaskLifecycle.Reject(RunningOn("cell-a"), "no room", maxTaskRetries: 0, Now);

        var task = outcome.Record!;
        Assert.Equal(Task.Types.State.Completed, task.State);
        Assert.True(task.Failed);
        Assert.Equal("no room", task.FailureReason);
        Assert.Equal(0, task.RejectionCount);
        Assert.Equal(string.Empty, task.RejectionReason);
        Assert.Equal(string.Empty, task.CellId);
        Assert.Equal(Now, task.FirstCompletedAt);
    }

    [Fact]
    public void WithOneRetryTheFirstRejectRequeuesAndTheSecondFails()
    {
        var first = TaskLifecycle.Reject(RunningOn("cell-a"), "cell full", maxTaskRetries: 1, Now).Record!;
        Assert.Equal(Task.Types.State.Pending, first.State);
        Assert.Equal(1, first.RejectionCount);
        Assert.Equal("cell full", first.RejectionReason);
        Assert.Equal(Now, first.UpdatedAt);
        Assert.False(first.Failed);

        var second = TaskLifecycle.Reject(first, "still full", maxTaskRetries: 1, Now + 1).Record!;
        Assert.Equal(Task.Types.State.Completed, second.State);
        Assert.True(second.Failed);
        Assert.Equal("still full", second.FailureReason);
        Assert.Equal(1, second.RejectionCount);
        Assert.Equal("cell full", second.RejectionReason);
    }

    [Fact]
    public void ARejectionReasonIsTruncated()
    {
        var task = TaskLifecycle.Reject(Pending(), new string('r', 1100), maxTaskRetries: 5, Now).Record!;

        Assert.Equal(1024, task.RejectionReason.Length);
        Assert.EndsWith("(truncated)", task.RejectionReason, StringComparison.Ordinal);
    }

    private static Task Pending() => new()
    {
        TaskGuid = "t1",
        Domain = "d",
        TaskDefinition = new TaskDefinition(),
        State = Task.Types.State.Pending,
        CreatedAt = Created,
        UpdatedAt = Created,
    };

    private static Task RunningOn(string cellId)
    {
        var task = Pending();
        task.State = Task.Types.State.Running;
        task.CellId = cellId;
        return task;
    }

    private static Task InState(Task.Types.State state)
    {
        var task = Pending();
        task.State = state;
        return task;
    }
}
