namespace Bbs.Etcd;

/// <summary>
/// The state of one reconnect loop: connected, or unreachable since some moment after some number of failed
/// attempts. It says how long to pause after each failure (<see cref="ReconnectBackoff"/>) and when to log: when the
/// outage begins, once every <see cref="ReminderInterval"/> while it lasts (through a <see cref="RepeatedCondition"/>),
/// and when it ends, with how long it lasted and how many attempts failed; never once per attempt. A success resets
/// the backoff. Thread-safe.
/// </summary>
public sealed class Outage
{
    /// <summary>How often a long outage is reported again while it lasts, unless told otherwise.</summary>
    public static readonly TimeSpan DefaultReminderInterval = TimeSpan.FromMinutes(5);

    private readonly TimeProvider clock;
    private readonly RepeatedCondition reports;
    private readonly Lock gate = new();
    private int failures;
    private long attempts;
    private long since;

    public Outage(ReconnectBackoff backoff, TimeProvider? time = null, TimeSpan? reminderInterval = null)
    {
        ArgumentNullException.ThrowIfNull(backoff);
        Backoff = backoff;
        clock = time ?? TimeProvider.System;
        ReminderInterval = reminderInterval ?? DefaultReminderInterval;
        reports = new RepeatedCondition(ReminderInterval, clock);
    }

    public ReconnectBackoff Backoff { get; }

    public TimeSpan ReminderInterval { get; }

    /// <summary>True from the first failure to the next success.</summary>
    public bool IsActive
    {
        get
        {
            lock (gate)
            {
                return failures > 0;
            }
        }
    }

    /// <summary>Counts one failed attempt: what to log now, and how long to pause before the next attempt.</summary>
    public OutageAttempt Failed()
    {
        lock (gate)
        {
            if (failures == 0)
            {
                since = clock.GetTimestamp();
                attempts = 0;
            }

            if (failures < int.MaxValue)
            {
                failures++;
            }

            attempts++;
            var report = reports.Occurred(out _) ? (attempts == 1 ? OutageReport.Began : OutageReport.StillDown) : OutageReport.None;
            return new OutageAttempt(report, attempts, clock.GetElapsedTime(since), Backoff.Delay(failures));
        }
    }

    /// <summary>
    /// An attempt succeeded: the backoff starts again from its base. True when this ended an outage (log it), with
    /// how long it lasted and how many attempts failed in it.
    /// </summary>
    public bool Recovered(out TimeSpan down, out long failedAttempts)
    {
        lock (gate)
        {
            reports.Ended(out _);
            bool was = failures > 0;
            down = was ? clock.GetElapsedTime(since) : TimeSpan.Zero;
            failedAttempts = was ? attempts : 0;
            failures = 0;
            attempts = 0;
            return was;
        }
    }
}

/// <summary>What to log about a failed attempt.</summary>
public enum OutageReport
{
    /// <summary>Nothing: the outage was reported already.</summary>
    None,

    /// <summary>The outage begins with this attempt.</summary>
    Began,

    /// <summary>The outage goes on; it was last reported <see cref="Outage.ReminderInterval"/> ago or more.</summary>
    StillDown,
}

/// <summary>One failed attempt of a reconnect loop.</summary>
/// <param name="Report">What to log now.</param>
/// <param name="Attempts">Failed attempts since the outage began, this one included.</param>
/// <param name="Down">How long since the outage began.</param>
/// <param name="Pause">How long to wait before the next attempt.</param>
public readonly record struct OutageAttempt(OutageReport Report, long Attempts, TimeSpan Down, TimeSpan Pause);
