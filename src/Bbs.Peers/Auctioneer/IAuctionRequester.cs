namespace Bbs.Peers;

/// <summary>
/// What the BBS calls after a state change that needs a placement (desire, crash restart, evacuation, convergence).
/// Both methods only enqueue and return at once: they never block, never throw for a peer failure, and never wait
/// for the auctioneer. Delivery is best effort and at least once per accepted batch; whatever is not delivered is
/// logged and counted (<see cref="PeerMetrics"/>), and convergence requests missing or stale instances and pending
/// tasks again, so a lost request is recovered within a convergence interval.
/// </summary>
public interface IAuctionRequester
{
    void RequestLrpAuctions(IReadOnlyList<LrpStartRequest> requests);

    void RequestTaskAuctions(IReadOnlyList<TaskStartRequest> requests);
}
