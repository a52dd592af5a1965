namespace Bbs.Bench.Measure;

/// <summary>What a load run did: operations completed, wall time, and the latency of each operation.</summary>
public sealed record LoadResult(int Callers, long Operations, TimeSpan Elapsed, LatencySummary Latency)
{
    public double OpsPerSecond => Operations / Elapsed.TotalSeconds;
}

/// <summary>
/// Runs one operation in a closed loop from N concurrent callers, for a fixed duration or a fixed number of
/// operations. Each caller waits for its operation before issuing the next, so the concurrency is exactly N.
/// </summary>
public static class LoadRunner
{
    /// <summary>
    /// Each caller repeats <paramref name="operation"/> (given its caller index and its own sequence number) until
    /// <paramref name="duration"/> has passed; the operations in flight then finish and count.
    /// </summary>
    public static Task<LoadResult> ForDurationAsync(int callers, TimeSpan duration, Func<int, long, CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        var deadline = Clock.Now + (long)(duration.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        return RunAsync(callers, (_, seq) => Clock.Now < deadline ? seq : -1, operation, cancellationToken);
    }

    /// <summary>
    /// The callers share <paramref name="total"/> operations: each takes the next unclaimed item number (0-based)
    /// and passes it as the sequence number, so every item is done exactly once.
    /// </summary>
    public static Task<LoadResult> ForCountAsync(int callers, long total, Func<int, long, CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        long next = -1;
        return RunAsync(
            callers,
            (_, _) => Interlocked.Increment(ref next) is var item && item < total ? item : -1,
            operation,
            cancellationToken);
    }

    /// <summary><paramref name="nextItem"/> gives a caller's next sequence number, or -1 when it is done.</summary>
    private static async Task<LoadResult> RunAsync(int callers, Func<int, long, long> nextItem, Func<int, long, CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(callers, 1);
        var latencies = new List<double>[callers];
        long started = Clock.Now;
        var workers = Enumerable.Range(0, callers).Select(caller => Task.Run(
            async () =>
            {
                var mine = latencies[caller] = new List<double>(1024);
                for (long own = 0; nextItem(caller, own) is var item && item >= 0; own++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    long t0 = Clock.Now;
                    await operation(caller, item, cancellationToken).ConfigureAwait(false);
                    mine.Add(Clock.MsSince(t0));
                }
            },
            cancellationToken)).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var elapsed = TimeSpan.FromMilliseconds(Clock.MsSince(started));
        var all = latencies.SelectMany(l => l).ToList();
        return new LoadResult(callers, all.Count, elapsed, LatencySummary.Of(all));
    }
}
