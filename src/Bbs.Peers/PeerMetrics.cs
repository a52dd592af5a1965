using System.Diagnostics.Metrics;

namespace Bbs.Peers;

/// <summary>
/// The peers' instruments, on the meter <see cref="MeterName"/>. Every start request handed to the requester is
/// counted once as <see cref="AuctionsRequested"/> and then exactly once as sent, failed, dropped or not sent for
/// want of an auctioneer; all carry the tag <c>kind</c> = <c>lrp</c> | <c>task</c> and count start requests (one
/// LRP start request may name several indices).
/// </summary>
public sealed class PeerMetrics
{
    public const string MeterName = "Bbs.Peers";

    public const string AuctionsRequested = "bbs.peers.auctions.requested";
    public const string AuctionsSent = "bbs.peers.auctions.sent";
    public const string AuctionsFailed = "bbs.peers.auctions.failed";

    /// <summary>Dropped because the queue stayed full (<c>reason</c> = <c>queue_full</c>) or the server stopped first (<c>shutdown</c>).</summary>
    public const string AuctionsDropped = "bbs.peers.auctions.dropped";

    /// <summary>Not sent: no auctioneer is configured.</summary>
    public const string AuctionsNotSentNoAuctioneer = "bbs.peers.auctions.not_sent_no_auctioneer";

    /// <summary>Start requests waiting in the queue (observable gauge).</summary>
    public const string AuctionsQueued = "bbs.peers.auctions.queued";

    /// <summary>Retried HTTP attempts; tag <c>peer</c> = <c>auctioneer</c> | <c>rep</c>.</summary>
    public const string Retries = "bbs.peers.retries";

    /// <summary>Rep calls that ended; tags <c>operation</c> = <c>stop_lrp_instance</c> | <c>cancel_task</c>, <c>outcome</c> = <c>ok</c> | <c>failed</c>.</summary>
    public const string RepCalls = "bbs.peers.rep.calls";

    private readonly Counter<long> _requested;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _noAuctioneer;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _repCalls;

    public PeerMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(MeterName);
        _requested = Meter.CreateCounter<long>(AuctionsRequested, "{request}", "Start requests handed to the auction requester");
        _sent = Meter.CreateCounter<long>(AuctionsSent, "{request}", "Start requests the auctioneer accepted");
        _failed = Meter.CreateCounter<long>(AuctionsFailed, "{request}", "Start requests whose batch failed after its retries");
        _dropped = Meter.CreateCounter<long>(AuctionsDropped, "{request}", "Start requests dropped before sending; convergence requests them again");
        _noAuctioneer = Meter.CreateCounter<long>(AuctionsNotSentNoAuctioneer, "{request}", "Start requests logged, not sent: no auctioneer configured");
        _retries = Meter.CreateCounter<long>(Retries, "{attempt}", "HTTP attempts to a peer that were retried");
        _repCalls = Meter.CreateCounter<long>(RepCalls, "{call}", "Calls to cell reps");
    }

    /// <summary>The meter all instruments live on; created by the host's meter factory, so each container has its own.</summary>
    public Meter Meter { get; }

    internal void Requested(string kind, int count) => _requested.Add(count, Kind(kind));

    internal void Sent(string kind, int count) => _sent.Add(count, Kind(kind));

    internal void Failed(string kind, int count) => _failed.Add(count, Kind(kind));

    internal void Dropped(string kind, int count, string reason) => _dropped.Add(count, Kind(kind), new("reason", reason));

    internal void NotSentNoAuctioneer(string kind, int count) => _noAuctioneer.Add(count, Kind(kind));

    internal void Retried(string peer) => _retries.Add(1, new KeyValuePair<string, object?>("peer", peer));

    internal void RepCall(string operation, bool ok) =>
        _repCalls.Add(1, new("operation", operation), new("outcome", ok ? "ok" : "failed"));

    private static KeyValuePair<string, object?> Kind(string kind) => new("kind", kind);
}
