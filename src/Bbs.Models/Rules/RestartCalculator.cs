namespace Bbs.Models.Rules;

/// <summary>
/// When a crashed ActualLRP is restarted, and how its crash count grows. Times are unix nanoseconds, as in
/// the records; the caller supplies "now".
/// </summary>
public static class RestartCalculator
{
    /// <summary>A crash after running longer than this starts the count again at 1.</summary>
    public static readonly TimeSpan CrashResetTimeout = TimeSpan.FromMinutes(5);

    /// <summary>An UNCLAIMED record older than this is auctioned again by convergence.</summary>
    public static readonly TimeSpan StaleUnclaimedDuration = TimeSpan.FromSeconds(30);

    private const long NanosPerTick = 100;

    /// <summary>Below ImmediateRestarts crashes the instance goes straight back to UNCLAIMED.</summary>
    public static bool ShouldRestartImmediately(int crashCount, RestartPolicy? policy = null) =>
        crashCount < (policy ?? RestartPolicy.Default).ImmediateRestarts;

    /// <summary>
    /// How long after the crash a restart waits: zero for immediate restarts, then 30s, 60s, 2m, 4m, 8m and
    /// 16m from then on; null when the instance is never restarted again.
    /// </summary>
    public static TimeSpan? Backoff(int crashCount, RestartPolicy? policy = null)
    {
        policy ??= RestartPolicy.Default;
        if (crashCount < policy.ImmediateRestarts)
        {
            return TimeSpan.Zero;
        }

        if (crashCount >= policy.MaxRestartAttempts)
        {
            return null;
        }

        var exponent = Math.Min(crashCount - policy.ImmediateRestarts, policy.MaxBackoffCount);
        var backoff = RestartPolicy.MinBackoffDuration * (1L << exponent);
        return backoff > policy.MaxBackoffDuration ? policy.MaxBackoffDuration : backoff;
    }

    /// <summary>BBS's ShouldRestart(now, crashedAt, crashCount).</summary>
    public static bool ShouldRestart(long nowUnixNanos, long crashedAtUnixNanos, int crashCount, RestartPolicy? policy = null) =>
        ShouldRestartImmediately(crashCount, policy) ||
        (Backoff(crashCount, policy) is { } backoff && crashedAtUnixNanos + (backoff.Ticks * NanosPerTick) <= nowUnixNanos);

    /// <summary>Convergence restarts a CRASHED record once its backoff has passed.</summary>
    public static bool ShouldRestartCrash(long nowUnixNanos, ActualLRP lrp, RestartPolicy? policy = null) =>
        ShouldRestartCrash(nowUnixNanos, lrp.State, lrp.Since, lrp.CrashCount, policy);

    /// <summary><see cref="ShouldRestartCrash(long, ActualLRP, RestartPolicy?)"/> from the record's state, since and crash count alone.</summary>
    public static bool ShouldRestartCrash(long nowUnixNanos, string state, long sinceUnixNanos, int crashCount, RestartPolicy? policy = null) =>
        state == ActualLrpStates.Crashed && ShouldRestart(nowUnixNanos, sinceUnixNanos, crashCount, policy);

    /// <summary>The crash count after one more crash: 1 if it had been RUNNING for over five minutes.</summary>
    public static int NextCrashCount(ActualLRP lrp, long nowUnixNanos) =>
        lrp.State == ActualLrpStates.Running && nowUnixNanos - lrp.Since > CrashResetTimeout.Ticks * NanosPerTick
            ? 1
            : lrp.CrashCount + 1;

    /// <summary>An UNCLAIMED record nobody claimed within <see cref="StaleUnclaimedDuration"/>.</summary>
    public static bool IsStaleUnclaimed(ActualLRP lrp, long nowUnixNanos) =>
        IsStaleUnclaimed(lrp.State, lrp.Since, nowUnixNanos);

    /// <summary><see cref="IsStaleUnclaimed(ActualLRP, long)"/> from the record's state and since alone.</summary>
    public static bool IsStaleUnclaimed(string state, long sinceUnixNanos, long nowUnixNanos) =>
        state == ActualLrpStates.Unclaimed && nowUnixNanos - sinceUnixNanos > StaleUnclaimedDuration.Ticks * NanosPerTick;
}
