using System.Globalization;
using System.Runtime.InteropServices;
using Bbs.Etcd;

namespace Bbs.Bench.Report;

/// <summary>What the numbers were measured on, printed above the table.</summary>
public sealed record MachineInfo(int Cores, string Cpu, string Memory, string Os, string Dotnet, string Etcd, string LoadAverage, DateTimeOffset Date)
{
    public static async Task<MachineInfo> CollectAsync(EtcdClient etcd, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(etcd);
        var status = await etcd.StatusAsync(cancellationToken).ConfigureAwait(false);
        return new MachineInfo(
            Environment.ProcessorCount,
            ProcField("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
            ProcField("/proc/meminfo", "MemTotal") is { } kb ? Gib(kb) : "?",
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            status.Version,
            File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?",
            DateTimeOffset.UtcNow);
    }

    public override string ToString() =>
        $"""
        date:    {Date:yyyy-MM-dd HH:mm} UTC
        machine: {Cores} cores ({Cpu}), {Memory} RAM, {Os}; load average at start {LoadAverage}
        runtime: {Dotnet}; etcd {Etcd}
        """;

    private static string? ProcField(string file, string name)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        return File.ReadLines(file)
            .Where(line => line.StartsWith(name, StringComparison.Ordinal))
            .Select(line => line[(line.IndexOf(':') + 1)..].Trim())
            .FirstOrDefault();
    }

    private static string Gib(string memTotal) =>
        long.TryParse(memTotal.Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kib)
            ? (kib / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " GiB"
            : memTotal;
}
