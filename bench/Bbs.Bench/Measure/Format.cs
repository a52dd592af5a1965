using System.Globalization;

namespace Bbs.Bench.Measure;

/// <summary>How numbers are written in the table: invariant culture, units always shown.</summary>
public static class Format
{
    public static string Ms(double ms) => ms switch
    {
        double.NaN => "n/a",
        < 10 => ms.ToString("0.00", CultureInfo.InvariantCulture) + " ms",
        < 1_000 => ms.ToString("0", CultureInfo.InvariantCulture) + " ms",
        < 10_000 => (ms / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " s",
        _ => (ms / 1000).ToString("0.0", CultureInfo.InvariantCulture) + " s",
    };

    public static string PerSecond(double rate, string unit = "ops") =>
        rate.ToString(rate < 100 ? "N1" : "N0", CultureInfo.InvariantCulture) + " " + unit + "/s";

    public static string Duration(TimeSpan elapsed) => Ms(elapsed.TotalMilliseconds);

    /// <summary>"1 caller", "16 callers".</summary>
    public static string Plural(long count, string noun) => Count(count) + " " + noun + (count == 1 ? string.Empty : "s");

    public static string Count(long count) => count.ToString("N0", CultureInfo.InvariantCulture);

    public static string Ratio(double ratio) => ratio.ToString("0.00", CultureInfo.InvariantCulture) + "x";

    public static string MiB(long kib) => (kib / 1024.0).ToString("0", CultureInfo.InvariantCulture) + " MiB";
}
