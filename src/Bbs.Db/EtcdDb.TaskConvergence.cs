using Bbs.Models;
using Bbs.Store;
using BbsTask = Bbs.Models.Task;

namespace Bbs.Db;

/// <summary>What one task convergence pass is told: the durations and the cells that are present.</summary>
public sealed record TaskConvergenceRequest(TimeSpan KickTaskDuration, TimeSpan ExpirePendingTaskDuration, TimeSpan ExpireCompletedTaskDuration, IReadOnlySet<string> PresentCells);

/// <summary>
/// What a pass did and what the caller must follow up: pending tasks to auction again, and completed tasks
/// whose callbacks must be (re-)driven; plus counts for logs and metrics.
/// </summary>
public sealed record TaskConvergenceResult(
    IReadOnlyList<BbsTask> TasksToAuction,
    IReadOnlyList<BbsTask> TasksToCallBack,
    int Kicked,
    int Expired,
    int FailedForMissingCell,
    int Pruned,
    int Demoted,
    int Pending,
    int Running,
    int Completed,
    int Resolving);

public interface ITaskConvergenceDb
{
    /// <summary>One task convergence pass (bbs-protocol.md §7, E16's rules); each change is its own guarded write.</summary>
    Task<TaskConvergenceResult> ConvergeTasksAsync(TaskConvergenceRequest request, CancellationToken cancellationToken);
}

public sealed partial class EtcdDb : ITaskConvergenceDb
{
    public const string NotStartedWithinTimeLimit = "not started within time limit";
    public const string CellDisappeared = "cell disappeared before completion";

    public async Task<TaskConvergenceResult> ConvergeTasksAsync(TaskConvergenceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = NowNanos;
        long Nanos(TimeSpan span) => span.Ticks * 100;
        var snapshot = await view.ReadAsync(cancellationToken).ConfigureAwait(false);
        var auction = new List<BbsTask>();
        var callBack = new List<BbsTask>();
        int kicked = 0, expired = 0, missingCell = 0, pruned = 0, demoted = 0, pending = 0, running = 0, completed = 0, resolving = 0;

        foreach (var entry in snapshot.Entries(Keys.TaskPrefix))
        {
            // The view decoded the task when it applied it.
            var kv = entry.Kv;
            var task = (entry.Projection as TaskRecord)?.Parse();
            if (entry.Projection is UnreadableRecord { IsKeyFailure: true })
            {
                // Sealed with a key that is not configured: intact, and readable once the key is configured again.
                continue;
            }

            if (task is null)
            {
                // Undecodable records are pruned, as E16 did.
                pruned += await DeleteIfUnchangedAsync(kv, cancellationToken).ConfigureAwait(false) ? 1 : 0;
                continue;
            }

            switch (task.State)
            {
                case BbsTask.Types.State.Pending:
                    pending++;
                    if (now - task.CreatedAt >= Nanos(request.ExpirePendingTaskDuration))
                    {
                        if (await WriteIfUnchangedAsync(kv, Failed(task, NotStartedWithinTimeLimit, now), cancellationToken).ConfigureAwait(false) is { } failed)
                        {
                            expired++;
                            callBack.Add(failed);
                        }
                    }
                    else if (now - task.UpdatedAt >= Nanos(request.KickTaskDuration))
                    {
                        kicked++;
                        auction.Add(task);
                    }

                    break;
                case BbsTask.Types.State.Running:
                    running++;
                    if (!request.PresentCells.Contains(task.CellId)
                        && await WriteIfUnchangedAsync(kv, Failed(task, CellDisappeared, now), cancellationToken).ConfigureAwait(false) is { } orphaned)
                    {
                        missingCell++;
                        callBack.Add(orphaned);
                    }

                    break;
                case BbsTask.Types.State.Completed:
                    completed++;
                    if (now - task.FirstCompletedAt >= Nanos(request.ExpireCompletedTaskDuration))
                    {
                        pruned += await DeleteIfUnchangedAsync(kv, cancellationToken).ConfigureAwait(false) ? 1 : 0;
                    }
                    else if (now - task.UpdatedAt >= Nanos(request.KickTaskDuration))
                    {
                        callBack.Add(task);
                    }

                    break;
                case BbsTask.Types.State.Resolving:
                    resolving++;
                    if (now - task.FirstCompletedAt >= Nanos(request.ExpireCompletedTaskDuration))
                    {
                        pruned += await DeleteIfUnchangedAsync(kv, cancellationToken).ConfigureAwait(false) ? 1 : 0;
                    }
                    else if (now - task.UpdatedAt >= Nanos(request.KickTaskDuration))
                    {
                        // A callback that never finished (503/504, or its server died): back to Completed, call again.
                        var demotedTask = task.Clone();
                        demotedTask.State = BbsTask.Types.State.Completed;
                        demotedTask.UpdatedAt = now;
                        if (await WriteIfUnchangedAsync(kv, demotedTask, cancellationToken).ConfigureAwait(false) is { } back)
                        {
                            demoted++;
                            callBack.Add(back);
                        }
                    }

                    break;
                default:
                    pruned += await DeleteIfUnchangedAsync(kv, cancellationToken).ConfigureAwait(false) ? 1 : 0;
                    break;
            }
        }

        return new TaskConvergenceResult(auction, callBack, kicked, expired, missingCell, pruned, demoted, pending, running, completed, resolving);
    }

    private static BbsTask Failed(BbsTask task, string reason, long now)
    {
        var failed = task.Clone();
        failed.State = BbsTask.Types.State.Completed;
        failed.Failed = true;
        failed.FailureReason = reason;
        failed.Result = string.Empty;
        failed.CellId = string.Empty;
        failed.FirstCompletedAt = now;
        failed.UpdatedAt = now;
        return failed;
    }

    private async Task<BbsTask?> WriteIfUnchangedAsync(KeyValue kv, BbsTask next, CancellationToken cancellationToken)
    {
        var result = await store.TxnAsync(TxnRequest.If(TxnCompare.ModRevisionIs(kv.Key, kv.ModRevision)).Then(Put(kv.Key, next)), cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? next : null;
    }

    private async Task<bool> DeleteIfUnchangedAsync(KeyValue kv, CancellationToken cancellationToken)
    {
        var result = await store.TxnAsync(TxnRequest.If(TxnCompare.ModRevisionIs(kv.Key, kv.ModRevision)).Then(new DeleteOp(kv.Key)), cancellationToken).ConfigureAwait(false);
        return result.Succeeded;
    }
}
