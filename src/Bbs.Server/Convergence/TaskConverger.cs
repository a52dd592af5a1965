using Bbs.Store;
using System.Diagnostics;
using Bbs.Db;
using Bbs.Server.Tasks;

namespace Bbs.Server.Convergence;

/// <summary>
/// One task convergence pass: the guarded writes happen in <see cref="ITaskConvergenceDb"/>; this asks for
/// the follow-ups (auctions for kicked tasks, callbacks for completed ones) and reports what it did.
/// Called from <c>/v1/tasks/converge</c> and by the leader's timer; concurrent and repeated calls are
/// coalesced (<see cref="Coalescer{T}"/>): a queued pass uses the durations of the latest caller that joined it.
/// </summary>
public sealed partial class TaskConverger(IDb db, TaskPlacement placement, TaskCompletionCallbacks callbacks, ConvergenceMetrics metrics, ILogger<TaskConverger> logger)
{
    private readonly Coalescer<TaskConvergenceResult> passes = new();

    /// <summary>A pass that starts no earlier than this call (see <see cref="LrpConverger.ConvergeAsync"/> for the tokens).</summary>
    public Task<TaskConvergenceResult> ConvergeAsync(TimeSpan kick, TimeSpan expirePending, TimeSpan expireCompleted, CancellationToken passToken, CancellationToken waitToken) =>
        passes.RunAsync(() => PassAsync(kick, expirePending, expireCompleted, passToken), waitToken);

    private async Task<TaskConvergenceResult> PassAsync(TimeSpan kick, TimeSpan expirePending, TimeSpan expireCompleted, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var cells = await db.CellsAsync(cancellationToken).ConfigureAwait(false);
        var result = await db.ConvergeTasksAsync(
            new TaskConvergenceRequest(kick, expirePending, expireCompleted, cells.Select(c => c.CellId).ToHashSet(StringComparer.Ordinal)),
            cancellationToken).ConfigureAwait(false);
        foreach (var task in result.TasksToAuction)
        {
            placement.Auction(task);
        }

        foreach (var task in result.TasksToCallBack)
        {
            callbacks.Submit(task);
        }

        var duration = Stopwatch.GetElapsedTime(started);
        metrics.TasksConverged(result, duration);
        LogConverged(logger, duration.TotalMilliseconds, result.Kicked, result.Expired, result.FailedForMissingCell, result.Pruned, result.Demoted, result.TasksToCallBack.Count);
        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "task convergence done in {DurationMs:0.#} ms: kicked {Kicked}, expired {Expired}, failed for missing cell {MissingCell}, pruned {Pruned}, demoted {Demoted}, callbacks {Callbacks}")]
    private static partial void LogConverged(ILogger logger, double durationMs, int kicked, int expired, int missingCell, int pruned, int demoted, int callbacks);
}
