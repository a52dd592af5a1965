namespace Bbs.Etcd;

/// <summary>
/// The one backoff of every loop that reconnects to etcd while it is unreachable (the watch and lease keep-alive
/// streams, the store view's load, the leader election): after the n-th failure in a row the loop pauses between
/// half and all of <c>min(MaxDelay, BaseDelay · 2^(n−1))</c>, chosen at random (jitter, so that many servers that lost
/// etcd together do not come back in step). The loop resets its count after a success (<see cref="Outage"/> does
/// both). Immutable and thread-safe.
/// </summary>
public sealed record ReconnectBackoff
{
    /// <summary>100 ms doubling to 30 s: the server's defaults (<c>etcd_retry_base_delay</c>, <c>etcd_max_reconnect_delay</c>).</summary>
    public static readonly ReconnectBackoff Default = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30));

    public ReconnectBackoff(TimeSpan baseDelay, TimeSpan maxDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(baseDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, baseDelay);
        BaseDelay = baseDelay;
        MaxDelay = maxDelay;
    }

    /// <summary>The pause after the first failure, before jitter.</summary>
    public TimeSpan BaseDelay { get; }

    /// <summary>The longest pause, before jitter.</summary>
    public TimeSpan MaxDelay { get; }

    /// <summary>The pause after <paramref name="failures"/> failures in a row (at least 1), with random jitter.</summary>
    public TimeSpan Delay(int failures) => Delay(failures, Random.Shared.NextDouble());

    /// <summary>
    /// The pause after <paramref name="failures"/> failures in a row, with <paramref name="jitter"/> in [0, 1) choosing
    /// where it falls between half and all of the exponential step.
    /// </summary>
    public TimeSpan Delay(int failures, double jitter)
    {
        // Doubling past 2^30 only matters for bases of a nanosecond; the cap applies long before.
        int doublings = Math.Clamp(failures - 1, 0, 30);
        double step = Math.Min(MaxDelay.Ticks, BaseDelay.Ticks * Math.Pow(2, doublings));
        return TimeSpan.FromTicks((long)(step * (0.5 + (0.5 * Math.Clamp(jitter, 0, 1)))));
    }
}
