namespace Bbs.Peers;

/// <summary>
/// The auctioneer's HTTP API: <c>POST /v1/lrps</c> and <c>POST /v1/tasks</c> with a JSON array of start requests,
/// answered 202 Accepted. The BBS does not call this directly; it hands requests to <see cref="IAuctionRequester"/>,
/// which batches them and calls this in the background.
/// </summary>
public interface IAuctioneerClient
{
    /// <summary>Sends one batch of LRP start requests, retrying transient failures.</summary>
    /// <exception cref="AuctioneerClientException">The auctioneer refused the batch, or could not be reached in time after the retries.</exception>
    /// <exception cref="InvalidOperationException">No auctioneer address is configured.</exception>
    Task RequestLrpAuctionsAsync(IReadOnlyList<LrpStartRequest> requests, CancellationToken cancellationToken);

    /// <summary>Sends one batch of task start requests, retrying transient failures.</summary>
    /// <exception cref="AuctioneerClientException">The auctioneer refused the batch, or could not be reached in time after the retries.</exception>
    /// <exception cref="InvalidOperationException">No auctioneer address is configured.</exception>
    Task RequestTaskAuctionsAsync(IReadOnlyList<TaskStartRequest> requests, CancellationToken cancellationToken);
}
