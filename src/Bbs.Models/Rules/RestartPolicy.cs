namespace Bbs.Models.Rules;

/// <summary>
/// The numbers behind BBS's RestartCalculator: a few immediate restarts, then exponential backoff from
/// <see cref="MinBackoffDuration"/> up to <see cref="MaxBackoffDuration"/>, and no restarts at all from
/// <see cref="MaxRestartAttempts"/> crashes on.
/// </summary>
public sealed record RestartPolicy(int ImmediateRestarts, TimeSpan MaxBackoffDuration, int MaxRestartAttempts)
{
    public static readonly TimeSpan MinBackoffDuration = TimeSpan.FromSeconds(30);

    /// <summary>ImmediateRestarts 3, MaxBackoffDuration 16 minutes, MaxRestartAttempts 200.</summary>
    public static RestartPolicy Default { get; } = new(3, TimeSpan.FromMinutes(16), 200);

    /// <summary>floor(log2(ceil(max / min))): 5 for the defaults, so the backoff doubles five times.</summary>
    public int MaxBackoffCount
    {
        get
        {
            var steps = (long)Math.Ceiling((double)MaxBackoffDuration.Ticks / MinBackoffDuration.Ticks);
            return steps < 1 ? 0 : (int)Math.Floor(Math.Log2(steps));
        }
    }
}
