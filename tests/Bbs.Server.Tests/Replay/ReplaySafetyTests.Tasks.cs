using Bbs.Models;
using Bbs.Server.Tests.Tasks;
using BbsTask = Bbs.Models.Task;
using ErrorType = Bbs.Models.Error.Types.Type;

namespace Bbs.Server.Tests.Replay;

public abstract partial class ReplaySafetyTests<TServer>
{
    /// <summary>As for LRPs, a second desire of the same guid is ResourceExists (bbs-protocol.md §4.3); the task is auctioned once.</summary>
    [Fact]
    public async Task AReplayedDesireTaskIsResourceExistsAndAuctionsOnce()
    {
        var guid = TaskTestSupport.NewTaskGuid();

        var lost = await LoseAnswerAsync("/v1/tasks/desire.r2", new DesireTaskRequest { TaskGuid = guid, Domain = Support.Models.Domain, TaskDefinition = TaskTestSupport.Definition() });
        Assert.Null(lost.Answer<TaskLifecycleResponse>().Error);
        await Server.Auctioneer.WaitForTaskAuctionAsync(guid);
        var desired = await Client.TaskByGuidAsync(guid);
        var revision = await RevisionAsync();

        var replay = await ReplayAsync<TaskLifecycleResponse>(lost);

        Assert.Equal(new Error { Type = ErrorType.ResourceExists, Message = "the requested resource already exists" }, replay.Error);
        Assert.Equal(revision, await RevisionAsync());
        Assert.Equal(desired, await Client.TaskByGuidAsync(guid));
        Assert.Equal(BbsTask.Types.State.Pending, desired.State);
        await Task.Delay(AuctionSettle);
        Assert.Single(Server.Auctioneer.TaskAuctions, a => a.TaskGuid == guid);
    }

    /// <summary>
    /// Running on the same cell is answered should_start=false without an error (BBS's wire answer, bbs-protocol.md
    /// §12: the second StartTask is 0 bytes). A rep whose first answer was lost therefore does not run the task, and
    /// its bulk loop later fails the Running task that has no container: BBS's behaviour, kept as it is.
    /// </summary>
    [Fact]
    public async Task AReplayedStartTaskIsShouldStartFalseAndWritesNothing()
    {
        var guid = await Server.DesirePendingAsync();
        var cellId = TaskTestSupport.NewCellId();

        var lost = await LoseAnswerAsync("/v1/tasks/start", new StartTaskRequest { TaskGuid = guid, CellId = cellId });
        Assert.Equal(new StartTaskResponse { ShouldStart = true }, lost.Answer<StartTaskResponse>());
        var running = await Client.TaskByGuidAsync(guid);
        var revision = await RevisionAsync();

        var replay = await ReplayAsync<StartTaskResponse>(lost);

        Assert.Equal(new StartTaskResponse { ShouldStart = false }, replay);
        Assert.Equal(revision, await RevisionAsync());
        Assert.Equal(running, await Client.TaskByGuidAsync(guid));
        Assert.Equal((BbsTask.Types.State.Running, cellId), (running.State, running.CellId));
    }

    /// <summary>
    /// Cancel completes the task, and Completed cannot be completed again: BBS answers the transition error, which
    /// callers of cancel log. The rep is asked to cancel once.
    /// </summary>
    [Fact]
    public async Task AReplayedCancelIsTheTransitionErrorAndCancelsOnTheCellOnce()
    {
        var cellId = TaskTestSupport.NewCellId();
        await Server.RegisterCellAsync(cellId);
        var guid = await Server.DesireRunningAsync(cellId);

        var lost = await LoseAnswerAsync("/v1/tasks/cancel", new TaskGuidRequest { TaskGuid = guid });
        Assert.Null(lost.Answer<TaskLifecycleResponse>().Error);
        await Server.Rep.WaitForCancelAsync(guid);
        var cancelled = await Client.TaskByGuidAsync(guid);
        var revision = await RevisionAsync();

        var replay = await ReplayAsync<TaskLifecycleResponse>(lost);

        Assert.Equal(TransitionError("Completed", "Completed"), replay.Error);
        Assert.Equal(revision, await RevisionAsync());
        Assert.Equal(cancelled, await Client.TaskByGuidAsync(guid));
        Assert.Equal((BbsTask.Types.State.Completed, true, "task was cancelled"), (cancelled.State, cancelled.Failed, cancelled.FailureReason));
        Assert.Single(Server.Rep.Cancels, c => c.TaskGuid == guid);
    }

    [Fact]
    public async Task AReplayedFailTaskIsTheTransitionErrorAndKeepsTheFirstFailure()
    {
        var guid = await Server.DesirePendingAsync();

        var lost = await LoseAnswerAsync("/v1/tasks/fail", new FailTaskRequest { TaskGuid = guid, FailureReason = "no such stack" });
        Assert.Null(lost.Answer<TaskLifecycleResponse>().Error);
        var failed = await Client.TaskByGuidAsync(guid);
        var revision = await RevisionAsync();

        var replay = await ReplayAsync<TaskLifecycleResponse>(lost);

        Assert.Equal(TransitionError("Completed", "Completed"), replay.Error);
        Assert.Equal(revision, await RevisionAsync());
        Assert.Equal(failed, await Client.TaskByGuidAsync(guid));
        Assert.Equal((BbsTask.Types.State.Completed, true, "no such stack"), (failed.State, failed.Failed, failed.FailureReason));
    }

    /// <summary>
    /// With max_task_retries at its default 0 the first reject fails the task, and NEW refuses a reject of a task that
    /// is neither Pending nor Running as BadRequest. (With retries allowed, a replayed reject of the now Pending task
    /// would be counted again: BBS cannot tell it from a second rejection, so that case is not replay-safe in BBS either.)
    /// </summary>
    [Fact]
    public async Task AReplayedRejectIsBadRequestOnceTheTaskFailed()
    {
        var guid = await Server.DesireRunningAsync(TaskTestSupport.NewCellId());

        var lost = await LoseAnswerAsync("/v1/tasks/reject", new RejectTaskRequest { TaskGuid = guid, RejectionReason = "no room" });
        Assert.Null(lost.Answer<TaskLifecycleResponse>().Error);
        var rejected = await Client.TaskByGuidAsync(guid);
        var revision = await RevisionAsync();

        var replay = await ReplayAsync<TaskLifecycleResponse>(lost);

        Assert.Equal(new Error { Type = ErrorType.InvalidRequest, Message = "the request received is invalid" }, replay.Error);
        Assert.Equal(revision, await RevisionAsync());
        Assert.Equal(rejected, await Client.TaskByGuidAsync(guid));
        Assert.Equal((BbsTask.Types.State.Completed, true, "no room", 0), (rejected.State, rejected.Failed, rejected.FailureReason, rejected.RejectionCount));
    }

    /// <summary>A completed task is no longer Running, so the same completion is the transition error and the first result stays.</summary>
    [Fact]
    public async Task AReplayedCompleteIsTheTransitionErrorAndKeepsTheFirstResult()
    {
        var cellId = TaskTestSupport.NewCellId();
        var guid = await Server.DesireRunningAsync(cellId);

        var lost = await LoseAnswerAsync("/v1/tasks/complete", new CompleteTaskRequest { TaskGuid = guid, CellId = cellId, Result = "42" });
        Assert.Null(lost.Answer<TaskLifecycleResponse>().Error);
        var completed = await Client.TaskByGuidAsync(guid);
        var revision = await RevisionAsync();

        var replay = await ReplayAsync<TaskLifecycleResponse>(lost);

        Assert.Equal(TransitionError("Completed", "Completed"), replay.Error);
        Assert.Equal(revision, await RevisionAsync());
        Assert.Equal(completed, await Client.TaskByGuidAsync(guid));
        Assert.Equal((BbsTask.Types.State.Completed, false, "42"), (completed.State, completed.Failed, completed.Result));
    }

    [Fact]
    public async Task AReplayedResolvingIsTheTransitionErrorAndWritesNothing()
    {
        var guid = await Server.DesireCompletedAsync();

        var lost = await LoseAnswerAsync("/v1/tasks/resolving", new TaskGuidRequest { TaskGuid = guid });
        Assert.Null(lost.Answer<TaskLifecycleResponse>().Error);
        var resolving = await Client.TaskByGuidAsync(guid);
        var revision = await RevisionAsync();

        var replay = await ReplayAsync<TaskLifecycleResponse>(lost);

        Assert.Equal(TransitionError("Resolving", "Resolving"), replay.Error);
        Assert.Equal(revision, await RevisionAsync());
        Assert.Equal(resolving, await Client.TaskByGuidAsync(guid));
        Assert.Equal(BbsTask.Types.State.Resolving, resolving.State);
    }

    [Fact]
    public async Task AReplayedDeleteTaskIsResourceNotFoundAndWritesNothing()
    {
        var guid = await Server.DesireCompletedAsync();
        await Client.ResolvingTaskAsync(guid);

        var lost = await LoseAnswerAsync("/v1/tasks/delete", new TaskGuidRequest { TaskGuid = guid });
        Assert.Null(lost.Answer<TaskLifecycleResponse>().Error);
        var revision = await RevisionAsync();

        var replay = await ReplayAsync<TaskLifecycleResponse>(lost);

        Assert.Equal(new Error { Type = ErrorType.ResourceNotFound, Message = "the requested resource could not be found" }, replay.Error);
        Assert.Equal(revision, await RevisionAsync());
        Assert.Null(await Server.TryGetAsync(guid));
    }

    private static Error TransitionError(string from, string to) =>
        new() { Type = ErrorType.InvalidStateTransition, Message = $"Cannot transition from {from} to {to}" };
}
