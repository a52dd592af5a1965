using Microsoft.Extensions.Logging;

namespace Bbs.Peers;

/// <summary>The peers' log events, source-generated so that disabled levels cost nothing.</summary>
internal static partial class PeerLog
{
    [LoggerMessage(1, LogLevel.Warning, "{Peer} call failed ({Reason}); retry {Attempt} in {Delay}")]
    public static partial void RetryingPeerCall(this ILogger logger, string peer, int attempt, TimeSpan delay, string? reason);

    [LoggerMessage(2, LogLevel.Warning, "No auctioneer configured (auctioneer_address): auction requests are logged and counted, never sent")]
    public static partial void NoAuctioneerConfigured(this ILogger logger);

    [LoggerMessage(3, LogLevel.Warning, "Not sent, no auctioneer configured: {Count} {Kind} auction request(s) for {Guids}")]
    public static partial void AuctionsNotSent(this ILogger logger, string kind, int count, string guids);

    [LoggerMessage(4, LogLevel.Debug, "Auctioneer accepted {Count} {Kind} auction request(s)")]
    public static partial void AuctionsSent(this ILogger logger, string kind, int count);

    [LoggerMessage(5, LogLevel.Error, "Auctioneer did not take {Count} {Kind} auction request(s) for {Guids}; convergence will request them again")]
    public static partial void AuctionsFailed(this ILogger logger, Exception exception, string kind, int count, string guids);

    [LoggerMessage(6, LogLevel.Warning, "Auction queue full: dropped {Dropped} request(s) since the last report, the latest a {Kind} request for {Guid}; convergence will request them again")]
    public static partial void AuctionsDroppedQueueFull(this ILogger logger, long dropped, string kind, string guid);

    [LoggerMessage(7, LogLevel.Warning, "Stopping before the auctioneer took them: dropped {Count} {Kind} auction request(s) for {Guids}; convergence will request them again")]
    public static partial void AuctionsDroppedAtShutdown(this ILogger logger, string kind, int count, string guids);

    [LoggerMessage(8, LogLevel.Information, "Sending auction requests to {Address}, batched over {Window}, at most {MaxBatchSize} per batch")]
    public static partial void AuctioneerConfigured(this ILogger logger, string address, TimeSpan window, int maxBatchSize);

    [LoggerMessage(9, LogLevel.Warning, "Rep {Address} refused {Operation} for {Target}: {Reason}")]
    public static partial void RepCallFailed(this ILogger logger, Exception exception, string address, string operation, string target, string reason);

    [LoggerMessage(10, LogLevel.Debug, "Rep {Address} took {Operation} for {Target}")]
    public static partial void RepCallSucceeded(this ILogger logger, string address, string operation, string target);

    [LoggerMessage(11, LogLevel.Warning, "Auctioneer at {Authority} failed over TLS ({Reason}); sending again over plain HTTP (auctioneer_require_tls is false)")]
    public static partial void AuctioneerHttpFallback(this ILogger logger, string authority, string reason);
}
