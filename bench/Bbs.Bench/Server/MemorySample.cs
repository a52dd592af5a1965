using System.Globalization;

namespace Bbs.Bench.Server;

/// <summary>Resident memory of a process from Linux's <c>/proc/&lt;pid&gt;/status</c>, in KiB.</summary>
/// <param name="RssKib">VmRSS: resident now.</param>
/// <param name="PeakKib">VmHWM: the highest resident size since the process started or its peak was last reset.</param>
public sealed record MemorySample(long RssKib, long PeakKib)
{
    public static MemorySample Read(int pid)
    {
        long rss = 0, peak = 0;
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kib(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kib(line);
            }
        }

        return new MemorySample(rss, peak);
    }

    /// <summary>
    /// Resets VmHWM to the current RSS (writing 5 to <c>/proc/&lt;pid&gt;/clear_refs</c>, Linux 4.0+), so a later
    /// reading is the peak of what happened in between. False when the kernel does not allow it.
    /// </summary>
    public static bool TryResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long Kib(string line) =>
        long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim().TrimEnd("kB").Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
}
