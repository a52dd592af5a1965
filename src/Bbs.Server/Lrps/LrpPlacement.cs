using Bbs.Db;
using Bbs.Models;
using Bbs.Models.Rules;
using Bbs.Peers;

namespace Bbs.Server.Lrps;

/// <summary>
/// What follows an LRP state change beyond the store: start auctions for instances that went UNCLAIMED,
/// and stop requests to the reps of CLAIMED/RUNNING instances that were removed. Neither ever undoes or
/// hides the state change: failures are logged (and counted by the peers), and convergence recovers them.
/// </summary>
public sealed partial class LrpPlacement(IDb db, IAuctionRequester auctions, IRepClientFactory reps, ILogger<LrpPlacement> logger)
{
    private const int StopConcurrency = 16;

    /// <summary>Requests auctions for <paramref name="indices"/> of the desired LRP.</summary>
    public void Auction(DesiredLRPSchedulingInfo? info, IReadOnlyList<int> indices)
    {
        if (info is not null && indices.Count > 0)
        {
            auctions.RequestLrpAuctions([LrpStartRequest.From(info, [.. indices])]);
        }
    }

    /// <summary>Requests an auction for one instance, reading its desired LRP for the placement constraints.</summary>
    public async Task AuctionAsync(ActualLRPKey key, CancellationToken cancellationToken)
    {
        try
        {
            var info = await db.SchedulingInfoByProcessGuidAsync(key.ProcessGuid, cancellationToken).ConfigureAwait(false);
            Auction(info, [key.Index]);
        }
        catch (BbsErrorException ex) when (ex.Type == Error.Types.Type.ResourceNotFound)
        {
            LogNoDesired(logger, key.ProcessGuid, key.Index);
        }
    }

    /// <summary>
    /// Asks the reps of the CLAIMED/RUNNING records among <paramref name="removed"/> to stop them. However many
    /// there are (a convergence pass may retire thousands), what could not be stopped is logged in one line per
    /// kind, with a count and the first few, never one line per record.
    /// </summary>
    public async Task StopAsync(IReadOnlyList<ActualLRP> removed, CancellationToken cancellationToken)
    {
        var outcomes = new StopOutcomes();
        await Parallel.ForEachAsync(
            removed.Where(lrp => lrp.State is ActualLrpStates.Claimed or ActualLrpStates.Running),
            new ParallelOptions { MaxDegreeOfParallelism = StopConcurrency, CancellationToken = cancellationToken },
            async (lrp, ct) => outcomes.Add(lrp, await TryStopAsync(lrp, ct).ConfigureAwait(false))).ConfigureAwait(false);
        outcomes.Log(logger);
    }

    /// <summary>Null when the rep was asked; else why not (the cell is gone, or the call failed).</summary>
    private async Task<Exception?> TryStopAsync(ActualLRP lrp, CancellationToken cancellationToken)
    {
        var key = lrp.ActualLrpKey;
        var instanceKey = lrp.ActualLrpInstanceKey;
        try
        {
            var cell = await db.CellByIdAsync(instanceKey.CellId, cancellationToken).ConfigureAwait(false);
            if (cell is null)
            {
                return new CellGoneException();
            }

            await reps.CreateClient(cell).StopLrpInstanceAsync(key, instanceKey, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ex;
        }
    }

    /// <summary>Stop outcomes of one call, counted per kind with the first few targets.</summary>
    private sealed class StopOutcomes
    {
        private const int Named = 5;
        private readonly Lock gate = new();
        private readonly List<string> gone = [];
        private readonly List<string> failed = [];
        private int goneCount;
        private int failedCount;
        private Exception? firstFailure;

        public void Add(ActualLRP lrp, Exception? outcome)
        {
            if (outcome is null)
            {
                return;
            }

            string target = $"{lrp.ActualLrpKey.ProcessGuid} [{lrp.ActualLrpKey.Index}] on {lrp.ActualLrpInstanceKey.CellId}";
            lock (gate)
            {
                if (outcome is CellGoneException)
                {
                    goneCount++;
                    if (gone.Count < Named)
                    {
                        gone.Add(target);
                    }
                }
                else
                {
                    failedCount++;
                    firstFailure ??= outcome;
                    if (failed.Count < Named)
                    {
                        failed.Add(target);
                    }
                }
            }
        }

        public void Log(ILogger logger)
        {
            if (goneCount > 0)
            {
                LogCellsGone(logger, goneCount, string.Join(", ", gone));
            }

            if (failedCount > 0)
            {
                LogStopsFailed(logger, firstFailure!, failedCount, string.Join(", ", failed));
            }
        }
    }

    private sealed class CellGoneException : Exception;

    [LoggerMessage(Level = LogLevel.Information, Message = "no desired LRP for {ProcessGuid} index {Index}: no auction")]
    private static partial void LogNoDesired(ILogger logger, string processGuid, int index);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} instance(s) to stop had no cell any more (nothing to stop), e.g. {Targets}")]
    private static partial void LogCellsGone(ILogger logger, int count, string targets);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not ask the reps to stop {Count} instance(s), e.g. {Targets}; the first failure follows")]
    private static partial void LogStopsFailed(ILogger logger, Exception exception, int count, string targets);
}
