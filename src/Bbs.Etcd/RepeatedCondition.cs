namespace Bbs.Etcd;

/// <summary>
/// A condition that can recur many times a second (etcd unreachable, a watch that cannot reconnect), logged once per
/// occurrence of the condition rather than once per attempt: the first attempt is reported, then at most one line
/// per <c>interval</c> carrying the count of attempts since the last line, and the end of the condition once.
/// Thread-safe. Lives here, the lowest project of the etcd client, the store and the server that all report it.
/// </summary>
public sealed class RepeatedCondition(TimeSpan interval, TimeProvider? time = null)
{
    private readonly TimeProvider clock = time ?? TimeProvider.System;
    private readonly Lock gate = new();
    private long unreported;
    private long lastReport;
    private bool active;

    /// <summary>True while the condition holds (from the first <see cref="Occurred"/> to <see cref="Ended"/>).</summary>
    public bool IsActive
    {
        get
        {
            lock (gate)
            {
                return active;
            }
        }
    }

    /// <summary>
    /// Counts one attempt that met the condition. True when it is to be logged now (the condition began, or
    /// <c>interval</c> passed since the last line), with <paramref name="attempts"/> the attempts since that line, this one included.
    /// </summary>
    public bool Occurred(out long attempts)
    {
        lock (gate)
        {
            unreported++;
            long now = clock.GetTimestamp();
            if (active && clock.GetElapsedTime(lastReport, now) < interval)
            {
                attempts = 0;
                return false;
            }

            active = true;
            lastReport = now;
            attempts = unreported;
            unreported = 0;
            return true;
        }
    }

    /// <summary>The condition is over. True when it held (log that it ended), with <paramref name="unreportedAttempts"/> not yet logged.</summary>
    public bool Ended(out long unreportedAttempts)
    {
        lock (gate)
        {
            unreportedAttempts = unreported;
            unreported = 0;
            bool was = active;
            active = false;
            return was;
        }
    }
}
