using Bbs.Db;
using Bbs.Peers;
using BbsTask = Bbs.Models.Task;

namespace Bbs.Server.Tasks;

/// <summary>
/// What follows a task state change beyond the store: task auctions for pending tasks, the rep's cancel for
/// a task that was running. (Completion callbacks are the leader's: see LeaderWork.) Failures are logged; the state
/// change stands, and convergence recovers what did not happen.
/// </summary>
public sealed partial class TaskPlacement(IDb db, IAuctionRequester auctions, IRepClientFactory reps, ILogger<TaskPlacement> logger)
{
    public void Auction(BbsTask task) => auctions.RequestTaskAuctions([TaskStartRequest.From(task)]);

    /// <summary>After a change: the rep's cancel when it left a cell (cancel); an auction when it went back to Pending (reject).</summary>
    public async Task FollowUpAsync(TaskChange change, bool cancelOnCell, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (cancelOnCell && change.Before is { State: BbsTask.Types.State.Running, CellId: { Length: > 0 } cellId } before)
        {
            await CancelOnCellAsync(before.TaskGuid, cellId, cancellationToken).ConfigureAwait(false);
        }

        // A completed task's callback is driven by the leader, which sees the completion through its event hub.
        if (change.Changed && change.After is { State: BbsTask.Types.State.Pending } pending)
        {
            Auction(pending);
        }
    }

    private async Task CancelOnCellAsync(string taskGuid, string cellId, CancellationToken cancellationToken)
    {
        try
        {
            var cell = await db.CellByIdAsync(cellId, cancellationToken).ConfigureAwait(false);
            if (cell is null)
            {
                LogCellGone(logger, taskGuid, cellId);
                return;
            }

            await reps.CreateClient(cell).CancelTaskAsync(taskGuid, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCancelFailed(logger, ex, taskGuid, cellId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "cell {CellId} of task {TaskGuid} is gone: nothing to cancel")]
    private static partial void LogCellGone(ILogger logger, string taskGuid, string cellId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not ask cell {CellId} to cancel task {TaskGuid}")]
    private static partial void LogCancelFailed(ILogger logger, Exception exception, string taskGuid, string cellId);
}
