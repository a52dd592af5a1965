using Bbs.Store;
using System.Diagnostics;
using Bbs.Db;
using Bbs.Server.Lrps;
using Microsoft.Extensions.Options;

namespace Bbs.Server.Convergence;

/// <summary>
/// One LRP convergence pass: the guarded writes happen in <see cref="ILrpConvergenceDb"/>; this asks for the
/// follow-ups (auctions, rep stops for retired instances) and reports what it did. Called from
/// <c>/v1/lrps/converge</c> and by the leader's timer; concurrent and repeated calls are coalesced
/// (<see cref="Coalescer{T}"/>), so no caller can run passes back to back in parallel.
/// </summary>
public sealed partial class LrpConverger(IDb db, LrpPlacement placement, ConvergenceMetrics metrics, IOptions<ConvergenceOptions> options, ILogger<LrpConverger> logger)
{
    private readonly Coalescer<LrpConvergenceResult> passes = new();

    /// <summary>
    /// A pass that starts no earlier than this call, shared with concurrent callers. <paramref name="passToken"/>
    /// cancels the pass (the leader's lease, or the server stopping); <paramref name="waitToken"/> only this wait.
    /// </summary>
    public Task<LrpConvergenceResult> ConvergeAsync(CancellationToken passToken, CancellationToken waitToken) =>
        passes.RunAsync(() => PassAsync(passToken), waitToken);

    private async Task<LrpConvergenceResult> PassAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var cells = await db.CellsAsync(cancellationToken).ConfigureAwait(false);
        var result = await db.ConvergeLrpsAsync(
            new LrpConvergenceRequest(cells.Select(c => c.CellId).ToHashSet(StringComparer.Ordinal), options.Value.DesiredLrpCreationTimeout),
            cancellationToken).ConfigureAwait(false);
        foreach (var (info, indices) in result.Auctions)
        {
            placement.Auction(info, indices);
        }

        await placement.StopAsync(result.Retired, cancellationToken).ConfigureAwait(false);
        var duration = Stopwatch.GetElapsedTime(started);
        metrics.LrpsConverged(result, cells.Count, duration);
        LogConverged(logger, duration.TotalMilliseconds, result.Missing, result.Extra, result.MissingCell, result.RestartedCrashed, result.StaleUnclaimed, result.Pruned, result.Auctions.Sum(a => a.Indices.Count));
        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "LRP convergence done in {DurationMs:0.#} ms: missing {Missing}, extra {Extra}, on missing cells {MissingCell}, crashed restarted {Restarted}, stale unclaimed {Stale}, pruned {Pruned}, instances auctioned {Auctioned}")]
    private static partial void LogConverged(ILogger logger, double durationMs, int missing, int extra, int missingCell, int restarted, int stale, int pruned, int auctioned);
}
