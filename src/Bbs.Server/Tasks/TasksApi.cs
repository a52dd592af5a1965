using Bbs.Db;
using Bbs.Models;
using Bbs.Server.Http;
using Microsoft.Extensions.Options;

namespace Bbs.Server.Tasks;

public static class TasksApi
{
    public static RouteGroupBuilder MapTasksApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/tasks/list", Tasks).WithName("Tasks_r0");
        v1.MapPost("/tasks/list.r1", Tasks).WithName("Tasks_r1");
        v1.MapPost("/tasks/list.r2", Tasks).WithName("Tasks_r2");
        v1.MapPost("/tasks/list.r3", Tasks).WithName("Tasks");
        v1.MapMethods("/tasks/get_by_task_guid", [HttpMethods.Get, HttpMethods.Post], TaskByGuid).WithName("TaskByGuid_r0");
        v1.MapMethods("/tasks/get_by_task_guid.r1", [HttpMethods.Get, HttpMethods.Post], TaskByGuid).WithName("TaskByGuid_r1");
        v1.MapMethods("/tasks/get_by_task_guid.r2", [HttpMethods.Get, HttpMethods.Post], TaskByGuid).WithName("TaskByGuid_r2");
        v1.MapMethods("/tasks/get_by_task_guid.r3", [HttpMethods.Get, HttpMethods.Post], TaskByGuid).WithName("TaskByGuid");
        v1.MapPost("/tasks/desire", DesireTask).WithName("DesireTask_r0");
        v1.MapPost("/tasks/desire.r2", DesireTask).WithName("DesireTask");
        v1.MapPost("/tasks/start", StartTask).WithName("StartTask");
        v1.MapPost("/tasks/cancel", CancelTask).WithName("CancelTask");
        v1.MapPost("/tasks/fail", FailTask).WithName("FailTask");
        v1.MapPost("/tasks/reject", RejectTask).WithName("RejectTask");
        v1.MapPost("/tasks/complete", CompleteTask).WithName("CompleteTask");
        v1.MapPost("/tasks/resolving", ResolvingTask).WithName("ResolvingTask");
        v1.MapPost("/tasks/delete", DeleteTask).WithName("DeleteTask");
        return v1;
    }

    public static async Task<BbsResult<TasksResponse>> Tasks(BbsRequest<TasksRequest> request, IDb db, CancellationToken cancellationToken)
    {
        var records = await db.TaskBytesAsync(new TaskFilter(request.Message.Domain, request.Message.CellId), cancellationToken);
        return BbsResult<TasksResponse>.FromRecords(TasksResponse.TasksFieldNumber, records, static rs =>
        {
            var response = new TasksResponse();
            foreach (var bytes in rs)
            {
                response.Tasks.Add(Bbs.Models.Task.Parser.ParseFrom(bytes.Span));
            }

            return response;
        });
    }

    public static async Task<BbsResult<TaskResponse>> TaskByGuid(BbsRequest<TaskByGuidRequest> request, IDb db, CancellationToken cancellationToken) =>
        new TaskResponse { Task = await db.TaskByGuidAsync(request.Message.TaskGuid, cancellationToken) };

    /// <summary>Writes the Pending task, then asks for its placement (an auction failure is only logged).</summary>
    public static async Task<BbsResult<TaskLifecycleResponse>> DesireTask(BbsRequest<DesireTaskRequest> request, IDb db, TaskPlacement placement, CancellationToken cancellationToken)
    {
        var task = await db.DesireTaskAsync(request.Message, cancellationToken);
        placement.Auction(task);
        return new TaskLifecycleResponse();
    }

    public static async Task<BbsResult<StartTaskResponse>> StartTask(BbsRequest<StartTaskRequest> request, IDb db, CancellationToken cancellationToken)
    {
        var change = await db.StartTaskAsync(request.Message.TaskGuid, request.Message.CellId, cancellationToken);
        return new StartTaskResponse { ShouldStart = change.Changed };
    }

    /// <summary>Completed as failed "task was cancelled"; the rep of a running task is asked to cancel it.</summary>
    public static async Task<BbsResult<TaskLifecycleResponse>> CancelTask(BbsRequest<TaskGuidRequest> request, IDb db, TaskPlacement placement, CancellationToken cancellationToken)
    {
        var change = await db.CancelTaskAsync(request.Message.TaskGuid, cancellationToken);
        await placement.FollowUpAsync(change, cancelOnCell: true, cancellationToken);
        return new TaskLifecycleResponse();
    }

    public static async Task<BbsResult<TaskLifecycleResponse>> FailTask(BbsRequest<FailTaskRequest> request, IDb db, TaskPlacement placement, CancellationToken cancellationToken)
    {
        var change = await db.FailTaskAsync(request.Message.TaskGuid, request.Message.FailureReason, cancellationToken);
        await placement.FollowUpAsync(change, cancelOnCell: false, cancellationToken);
        return new TaskLifecycleResponse();
    }

    /// <summary>Back to Pending (and re-auctioned) while retries remain, otherwise failed with the reason.</summary>
    public static async Task<BbsResult<TaskLifecycleResponse>> RejectTask(BbsRequest<RejectTaskRequest> request, IDb db, TaskPlacement placement, IOptions<TaskOptions> options, CancellationToken cancellationToken)
    {
        var change = await db.RejectTaskAsync(request.Message.TaskGuid, request.Message.RejectionReason, options.Value.MaxTaskRetries, cancellationToken);
        await placement.FollowUpAsync(change, cancelOnCell: false, cancellationToken);
        return new TaskLifecycleResponse();
    }

    public static async Task<BbsResult<TaskLifecycleResponse>> CompleteTask(BbsRequest<CompleteTaskRequest> request, IDb db, TaskPlacement placement, CancellationToken cancellationToken)
    {
        var r = request.Message;
        var change = await db.CompleteTaskAsync(r.TaskGuid, r.CellId, r.Failed, r.FailureReason, r.Result, cancellationToken);
        await placement.FollowUpAsync(change, cancelOnCell: false, cancellationToken);
        return new TaskLifecycleResponse();
    }

    public static async Task<BbsResult<TaskLifecycleResponse>> ResolvingTask(BbsRequest<TaskGuidRequest> request, IDb db, CancellationToken cancellationToken)
    {
        await db.ResolvingTaskAsync(request.Message.TaskGuid, cancellationToken);
        return new TaskLifecycleResponse();
    }

    public static async Task<BbsResult<TaskLifecycleResponse>> DeleteTask(BbsRequest<TaskGuidRequest> request, IDb db, CancellationToken cancellationToken)
    {
        await db.DeleteTaskAsync(request.Message.TaskGuid, cancellationToken);
        return new TaskLifecycleResponse();
    }
}
