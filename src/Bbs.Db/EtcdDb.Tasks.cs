using Bbs.Models;
using Bbs.Models.Rules;
using Bbs.Store;
using BbsTask = Bbs.Models.Task;

namespace Bbs.Db;

public sealed partial class EtcdDb
{
    public async Task<IReadOnlyList<BbsTask>> TasksAsync(TaskFilter filter, CancellationToken cancellationToken) =>
        [.. (await TaskRecordsAsync(filter, cancellationToken).ConfigureAwait(false)).Select(r => r.Parse())];

    public async Task<IReadOnlyList<ReadOnlyMemory<byte>>> TaskBytesAsync(TaskFilter filter, CancellationToken cancellationToken) =>
        [.. (await TaskRecordsAsync(filter, cancellationToken).ConfigureAwait(false)).Select(r => r.Bytes)];

    /// <summary>The view's decoded tasks matching the filter, in key order.</summary>
    private Task<List<TaskRecord>> TaskRecordsAsync(TaskFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return ProjectedAsync<TaskRecord>(
            Keys.TaskPrefix,
            r => (filter.Domain.Length == 0 || r.Domain == filter.Domain) && (filter.CellId.Length == 0 || r.CellId == filter.CellId),
            cancellationToken);
    }

    public async Task<BbsTask> TaskByGuidAsync(string taskGuid, CancellationToken cancellationToken)
    {
        var task = await ReadAsync<BbsTask>(Keys.Task(taskGuid), cancellationToken).ConfigureAwait(false);
        return task?.Value ?? throw new BbsErrorException(BbsErrors.ResourceNotFound);
    }

    public async Task<BbsTask> DesireTaskAsync(DesireTaskRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var task = TaskLifecycle.NewPending(request, NowNanos);
        var key = Keys.Task(request.TaskGuid);
        var result = await store.TxnAsync(TxnRequest.If(TxnCompare.Absent(key)).Then(Put(key, task)), cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? task : throw new BbsErrorException(BbsErrors.ResourceExists);
    }

    public Task<TaskChange> StartTaskAsync(string taskGuid, string cellId, CancellationToken cancellationToken)
    {
        var now = NowNanos;
        return UpdateTaskAsync(taskGuid, current => TaskLifecycle.Start(current, cellId, now), cancellationToken);
    }

    public Task<TaskChange> CancelTaskAsync(string taskGuid, CancellationToken cancellationToken)
    {
        var now = NowNanos;
        return UpdateTaskAsync(taskGuid, current => TaskLifecycle.Cancel(current, now), cancellationToken);
    }

    public Task<TaskChange> FailTaskAsync(string taskGuid, string failureReason, CancellationToken cancellationToken)
    {
        var now = NowNanos;
        return UpdateTaskAsync(taskGuid, current => TaskLifecycle.Fail(current, failureReason, now), cancellationToken);
    }

    public Task<TaskChange> RejectTaskAsync(string taskGuid, string rejectionReason, int maxTaskRetries, CancellationToken cancellationToken)
    {
        var now = NowNanos;
        return UpdateTaskAsync(taskGuid, current => TaskLifecycle.Reject(current, rejectionReason, maxTaskRetries, now), cancellationToken);
    }

    public Task<TaskChange> CompleteTaskAsync(string taskGuid, string cellId, bool failed, string failureReason, string result, CancellationToken cancellationToken)
    {
        var now = NowNanos;
        return UpdateTaskAsync(taskGuid, current => TaskLifecycle.Complete(current, cellId, failed, failureReason, result, now), cancellationToken);
    }

    public Task<TaskChange> ResolvingTaskAsync(string taskGuid, CancellationToken cancellationToken)
    {
        var now = NowNanos;
        return UpdateTaskAsync(taskGuid, current => TaskLifecycle.Resolving(current, now), cancellationToken);
    }

    public Task<TaskChange> DeleteTaskAsync(string taskGuid, CancellationToken cancellationToken) =>
        UpdateTaskAsync(taskGuid, TaskLifecycle.Delete, cancellationToken, delete: true);

    private async Task<TaskChange> UpdateTaskAsync(string taskGuid, Func<BbsTask?, LifecycleOutcome<BbsTask>> rule, CancellationToken cancellationToken, bool delete = false)
    {
        var (before, after, _) = await UpdateRecordAsync(Keys.Task(taskGuid), rule, cancellationToken, delete ? _ => true : null).ConfigureAwait(false);
        return new TaskChange(before, after);
    }
}
