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

    /// <summary>Asks the reps of the CLAIMED/RUNNING records among <paramref name="removed"/> to stop them.</summary>
    public Task StopAsync(IReadOnlyList<ActualLRP> removed, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            removed.Where(lrp => lrp.State is ActualLrpStates.Claimed or ActualLrpStates.Running),
            new ParallelOptions { MaxDegreeOfParallelism = StopConcurrency, CancellationToken = cancellationToken },
            async (lrp, ct) => await StopAsync(lrp, ct).ConfigureAwait(false));

    private async Task StopAsync(ActualLRP lrp, CancellationToken cancellationToken)
    {
        var key = lrp.ActualLrpKey;
        var instanceKey = lrp.ActualLrpInstanceKey;
        try
        {
            var cell = await db.CellByIdAsync(instanceKey.CellId, cancellationToken).ConfigureAwait(false);
            if (cell is null)
            {
                LogCellGone(logger, key.ProcessGuid, key.Index, instanceKey.CellId);
                return;
            }

            await reps.CreateClient(cell).StopLrpInstanceAsync(key, instanceKey, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogStopFailed(logger, ex, key.ProcessGuid, key.Index, instanceKey.CellId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "no desired LRP for {ProcessGuid} index {Index}: no auction")]
    private static partial void LogNoDesired(ILogger logger, string processGuid, int index);

    [LoggerMessage(Level = LogLevel.Information, Message = "cell {CellId} of {ProcessGuid} index {Index} is gone: nothing to stop")]
    private static partial void LogCellGone(ILogger logger, string processGuid, int index, string cellId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not ask cell {CellId} to stop {ProcessGuid} index {Index}")]
    private static partial void LogStopFailed(ILogger logger, Exception exception, string processGuid, int index, string cellId);
}
