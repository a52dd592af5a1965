using System.Diagnostics.Metrics;

namespace Bbs.Peers;

/// <summary>
/// The peers' instruments, on the meter <see cref="MeterName"/>. Every start request handed to the requester is
/// counted once in <see cref="AuctionsRequested"/> and then exactly once in <see cref="AuctionRequests"/> with its
/// <c>outcome</c>: <c>sent</c>, <c>failed</c>, <c>dropped</c> or <c>no_auctioneer</c>. Both carry <c>kind</c> =
/// <c>lrp</c> | <c>task</c> and count start requests (one LRP start request may name several indices).
/// </summary>
public sealed class PeerMetrics
{
    public const string MeterName = "Bbs.Peers";

    /// <summary>Start requests handed to the requester.</summary>
    public const string AuctionsRequested = "bbs_auction_start_requests";

    /// <summary>Start requests by <c>kind</c> and <c>outcome</c> (Prometheus: <c>bbs_auction_requests_total</c>).</summary>
    public const string AuctionRequests = "bbs_auction_requests";

    /// <summary>Start requests waiting in the queue (observable gauge).</summary>
    public const string AuctionsQueued = "bbs_auctions_queued";

    /// <summary>Retried HTTP attempts; tag <c>peer</c> = <c>auctioneer</c> | <c>rep</c>.</summary>
    public const string Retries = "bbs_peer_retries";

    /// <summary>Rep calls that ended; tags <c>operation</c> = <c>stop_lrp_instance</c> | <c>cancel_task</c>, <c>outcome</c> = <c>ok</c> | <c>failed</c>.</summary>
    public const string RepCalls = "bbs_rep_calls";

    private readonly Counter<long> _requested;
    private readonly Counter<long> _outcomes;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _repCalls;

    public PeerMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(MeterName);
        _requested = Meter.CreateCounter<long>(AuctionsRequested, description: "Start requests handed to the auction requester");
        _outcomes = Meter.CreateCounter<long>(AuctionRequests, description: "Start requests by outcome: sent (the auctioneer accepted), failed (after retries), dropped (convergence requests them again), no_auctioneer");
        _retries = Meter.CreateCounter<long>(Retries, description: "HTTP attempts to a peer that were retried");
        _repCalls = Meter.CreateCounter<long>(RepCalls, description: "Calls to cell reps");

        // Every series exists from the start, at 0, so a rate or an alert over it never sees it absent.
        foreach (var kind in (string[])["lrp", "task"])
        {
            _requested.Add(0, Kind(kind));
            foreach (var outcome in (string[])["sent", "failed", "no_auctioneer"])
            {
                _outcomes.Add(0, Kind(kind), Outcome(outcome));
            }
        }
    }

    /// <summary>The meter all instruments live on; created by the host's meter factory, so each container has its own.</summary>
    public Meter Meter { get; }

    internal void Requested(string kind, int count) => _requested.Add(count, Kind(kind));

    internal void Sent(string kind, int count) => _outcomes.Add(count, Kind(kind), Outcome("sent"));

    internal void Failed(string kind, int count) => _outcomes.Add(count, Kind(kind), Outcome("failed"));

    /// <summary>Dropped because the queue stayed full (<c>reason</c> = <c>queue_full</c>) or the server stopped first (<c>shutdown</c>).</summary>
    internal void Dropped(string kind, int count, string reason) => _outcomes.Add(count, Kind(kind), Outcome("dropped"), new("reason", reason));

    internal void NotSentNoAuctioneer(string kind, int count) => _outcomes.Add(count, Kind(kind), Outcome("no_auctioneer"));

    internal void Retried(string peer) => _retries.Add(1, new KeyValuePair<string, object?>("peer", peer));

    internal void RepCall(string operation, bool ok) =>
        _repCalls.Add(1, new("operation", operation), new("outcome", ok ? "ok" : "failed"));

    private static KeyValuePair<string, object?> Kind(string kind) => new("kind", kind);

    private static KeyValuePair<string, object?> Outcome(string outcome) => new("outcome", outcome);
}
