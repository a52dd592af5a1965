using Bbs.Models;
using BbsTask = Bbs.Models.Task;

namespace Bbs.Client;

public sealed partial class BbsClient
{
    /// <summary>The tasks matching <paramref name="filter"/> (all when null). POST /v1/tasks/list.r3 (Tasks).</summary>
    public async Task<IReadOnlyList<BbsTask>> TasksAsync(TaskFilter? filter = null, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new TasksRequest { Domain = filter?.Domain ?? string.Empty, CellId = filter?.CellId ?? string.Empty };
        var response = await CallAsync<TasksResponse>(Routes.Tasks, request, traceId, cancellationToken).ConfigureAwait(false);
        return response.Tasks;
    }

    /// <summary>One task; ResourceNotFound when there is none. POST /v1/tasks/get_by_task_guid.r3 (TaskByGuid).</summary>
    public async Task<BbsTask> TaskByGuidAsync(string taskGuid, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new TaskByGuidRequest { TaskGuid = taskGuid };
        var response = await CallAsync<TaskResponse>(Routes.TaskByGuid, request, traceId, cancellationToken).ConfigureAwait(false);
        return Required(response.Task, "task");
    }

    /// <summary>Creates a pending task. POST /v1/tasks/desire.r2 (DesireTask).</summary>
    public async Task DesireTaskAsync(string taskGuid, string domain, TaskDefinition definition, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new DesireTaskRequest { TaskGuid = taskGuid, Domain = domain, TaskDefinition = definition };
        await CallAsync<TaskLifecycleResponse>(Routes.DesireTask, request, traceId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A cell starts a task. Returns should_start: true on the transition to Running, false when the task already
    /// runs on this cell. POST /v1/tasks/start (StartTask).
    /// </summary>
    public async Task<bool> StartTaskAsync(string taskGuid, string cellId, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new StartTaskRequest { TaskGuid = taskGuid, CellId = cellId };
        var response = await CallAsync<StartTaskResponse>(Routes.StartTask, request, traceId, cancellationToken).ConfigureAwait(false);
        return response.ShouldStart;
    }

    /// <summary>Cancels a task (it completes as failed, "task was cancelled"). POST /v1/tasks/cancel (CancelTask).</summary>
    public async Task CancelTaskAsync(string taskGuid, string? traceId = null, CancellationToken cancellationToken = default) =>
        await CallAsync<TaskLifecycleResponse>(Routes.CancelTask, new TaskGuidRequest { TaskGuid = taskGuid }, traceId, cancellationToken).ConfigureAwait(false);

    /// <summary>Completes a task as failed. POST /v1/tasks/fail (FailTask, deprecated: use cancel).</summary>
    public async Task FailTaskAsync(string taskGuid, string failureReason, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new FailTaskRequest { TaskGuid = taskGuid, FailureReason = failureReason };
        await CallAsync<TaskLifecycleResponse>(Routes.FailTask, request, traceId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A cell rejects a task it cannot run, for another auction or failure. POST /v1/tasks/reject (RejectTask).</summary>
    public async Task RejectTaskAsync(string taskGuid, string rejectionReason, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new RejectTaskRequest { TaskGuid = taskGuid, RejectionReason = rejectionReason };
        await CallAsync<TaskLifecycleResponse>(Routes.RejectTask, request, traceId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A cell reports a task's outcome. POST /v1/tasks/complete (CompleteTask).</summary>
    public async Task CompleteTaskAsync(
        string taskGuid,
        string cellId,
        bool failed,
        string failureReason,
        string result,
        string? traceId = null,
        CancellationToken cancellationToken = default)
    {
        var request = new CompleteTaskRequest { TaskGuid = taskGuid, CellId = cellId, Failed = failed, FailureReason = failureReason, Result = result };
        await CallAsync<TaskLifecycleResponse>(Routes.CompleteTask, request, traceId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The task's owner starts resolving a completed task. POST /v1/tasks/resolving (ResolvingTask).</summary>
    public async Task ResolvingTaskAsync(string taskGuid, string? traceId = null, CancellationToken cancellationToken = default) =>
        await CallAsync<TaskLifecycleResponse>(Routes.ResolvingTask, new TaskGuidRequest { TaskGuid = taskGuid }, traceId, cancellationToken).ConfigureAwait(false);

    /// <summary>Deletes a resolving task. POST /v1/tasks/delete (DeleteTask).</summary>
    public async Task DeleteTaskAsync(string taskGuid, string? traceId = null, CancellationToken cancellationToken = default) =>
        await CallAsync<TaskLifecycleResponse>(Routes.DeleteTask, new TaskGuidRequest { TaskGuid = taskGuid }, traceId, cancellationToken).ConfigureAwait(false);
}
