using System.Diagnostics;

namespace Bbs.Bench.Measure;

/// <summary>Percentiles of a set of latencies, in milliseconds (nearest-rank: p99 of 1,000 samples is the 990th).</summary>
public sealed record LatencySummary(int Count, double MeanMs, double P50Ms, double P99Ms, double MaxMs)
{
    public static LatencySummary Of(IEnumerable<double> samplesMs)
    {
        ArgumentNullException.ThrowIfNull(samplesMs);
        var sorted = samplesMs.ToArray();
        if (sorted.Length == 0)
        {
            return new LatencySummary(0, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        Array.Sort(sorted);
        return new LatencySummary(sorted.Length, sorted.Average(), Percentile(sorted, 50), Percentile(sorted, 99), sorted[^1]);
    }

    /// <summary>The nearest-rank percentile <paramref name="p"/> (0-100] of ascending <paramref name="sorted"/>.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        ArgumentOutOfRangeException.ThrowIfZero(sorted.Count);
        int rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }

    public override string ToString() => $"p50 {Format.Ms(P50Ms)}, p99 {Format.Ms(P99Ms)}, mean {Format.Ms(MeanMs)}, max {Format.Ms(MaxMs)} (n={Count:N0})";
}

/// <summary>Stopwatch timestamps to milliseconds, without allocating a Stopwatch per operation.</summary>
public static class Clock
{
    public static long Now => Stopwatch.GetTimestamp();

    public static double MsSince(long start) => Stopwatch.GetElapsedTime(start).TotalMilliseconds;

    public static double MsBetween(long start, long end) => Stopwatch.GetElapsedTime(start, end).TotalMilliseconds;
}
