using Microsoft.Extensions.Logging;

namespace Bbs.Etcd;

/// <summary>The client's log events, source-generated so that disabled levels cost nothing.</summary>
internal static partial class Log
{
    [LoggerMessage(2, LogLevel.Debug, "etcd call failed ({Reason}); retry {Attempt} in {Delay}")]
    public static partial void RetryingCall(this ILogger logger, string? reason, int attempt, TimeSpan delay);

    [LoggerMessage(3, LogLevel.Information, "etcd {Stream} stream connected")]
    public static partial void StreamConnected(this ILogger logger, string stream);

    [LoggerMessage(4, LogLevel.Warning, "etcd {Stream} stream broke ({Reason}); reconnecting, backing off up to {MaxDelay} while etcd is unreachable")]
    public static partial void StreamBroken(this ILogger logger, string stream, string reason, TimeSpan maxDelay);

    [LoggerMessage(11, LogLevel.Information, "etcd token for user {User} renewed after etcd refused it as invalid")]
    public static partial void TokenRenewed(this ILogger logger, string user);

    [LoggerMessage(5, LogLevel.Warning, "etcd {Stream} stream cannot reach etcd ({Reason}); retrying, backing off up to {MaxDelay}")]
    public static partial void StreamUnreachable(this ILogger logger, string stream, string reason, TimeSpan maxDelay);

    [LoggerMessage(12, LogLevel.Information, "etcd {Stream} stream reconnected after {Down} unreachable ({Attempts} failed attempts)")]
    public static partial void StreamReconnected(this ILogger logger, string stream, TimeSpan down, long attempts);

    [LoggerMessage(13, LogLevel.Warning, "etcd {Stream} stream still cannot reach etcd after {Down} ({Attempts} failed attempts; last: {Reason})")]
    public static partial void StreamStillUnreachable(this ILogger logger, string stream, TimeSpan down, long attempts, string reason);

    [LoggerMessage(6, LogLevel.Debug, "etcd watch {WatchId} (re)created from revision {Revision}")]
    public static partial void WatchCreating(this ILogger logger, long watchId, long revision);

    [LoggerMessage(7, LogLevel.Warning, "etcd watch {WatchId} canceled by etcd: compacted at {CompactRevision}")]
    public static partial void WatchCompacted(this ILogger logger, long watchId, long compactRevision);

    [LoggerMessage(8, LogLevel.Warning, "etcd watch {WatchId} canceled by etcd: {Reason}")]
    public static partial void WatchCanceledByServer(this ILogger logger, long watchId, string reason);

    [LoggerMessage(9, LogLevel.Error, "etcd {Stream} stream failed permanently; its users are told: {Reason}")]
    public static partial void StreamFailed(this ILogger logger, string stream, string reason);

    [LoggerMessage(10, LogLevel.Warning, "etcd lease {LeaseId:x} lost: {Reason}")]
    public static partial void LeaseLost(this ILogger logger, long leaseId, LeaseLossReason reason);
}
