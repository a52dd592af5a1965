using System.Globalization;

namespace Bbs.Bench.Measure;

/// <summary>
/// CPU time (user + system) used by the server, etcd and this process over a phase, from Linux's
/// <c>/proc/&lt;pid&gt;/stat</c>. On a small shared machine it shows who the phase was waiting for.
/// </summary>
public sealed class CpuSplit
{
    /// <summary>Linux reports process times in clock ticks of USER_HZ, which is 100 on every mainstream kernel.</summary>
    private const double TicksPerSecond = 100;

    private readonly int? _serverPid;
    private readonly int? _etcdPid;
    private readonly long _started;
    private readonly (double Server, double Etcd, double Bench) _before;

    private CpuSplit(int? serverPid, int? etcdPid)
    {
        _serverPid = serverPid;
        _etcdPid = etcdPid;
        _before = Sample();
        _started = Clock.Now;
    }

    /// <summary>Starts measuring; <paramref name="serverPid"/> is the server's, etcd is found as a child of this process.</summary>
    public static CpuSplit Start(int? serverPid) => new(serverPid, FindChild("etcd"));

    /// <summary>The CPU seconds each process used since <see cref="Start"/>.</summary>
    public CpuUse Stop()
    {
        double wall = Clock.MsSince(_started) / 1000;
        var after = Sample();
        return new CpuUse(
            _serverPid is null ? null : after.Server - _before.Server,
            _etcdPid is null ? null : after.Etcd - _before.Etcd,
            after.Bench - _before.Bench,
            wall);
    }

    /// <summary>
    /// Waits until <paramref name="serverPid"/> and etcd together used less than <paramref name="cores"/> of CPU over
    /// one <paramref name="window"/> (e.g. the server's event hub and etcd's watch have digested a burst of changes),
    /// or <paramref name="limit"/> passed; returns the time waited.
    /// </summary>
    public static async Task<TimeSpan> WaitForQuietAsync(int serverPid, double cores, TimeSpan window, TimeSpan limit, CancellationToken cancellationToken)
    {
        int? etcdPid = FindChild("etcd");
        double Used() => CpuSeconds(serverPid) + CpuSeconds(etcdPid);
        long started = Clock.Now;
        while (Clock.MsSince(started) < limit.TotalMilliseconds)
        {
            double before = Used();
            await Task.Delay(window, cancellationToken).ConfigureAwait(false);
            if (Used() - before < cores * window.TotalSeconds)
            {
                break;
            }
        }

        return TimeSpan.FromMilliseconds(Clock.MsSince(started));
    }

    private (double Server, double Etcd, double Bench) Sample() =>
        (CpuSeconds(_serverPid), CpuSeconds(_etcdPid), CpuSeconds(Environment.ProcessId));

    private static double CpuSeconds(int? pid)
    {
        if (pid is not { } id || Stat(id) is not { } fields)
        {
            return 0;
        }

        // After "pid (comm)": state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>The fields of /proc/pid/stat after the command name (which may hold spaces), or null when gone.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static int? FindChild(string name)
    {
        if (!Directory.Exists("/proc"))
        {
            return null;
        }

        string self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && Stat(pid) is { } fields && fields[1] == self
                && File.ReadAllText($"/proc/{pid}/comm").Trim() == name)
            {
                return pid;
            }
        }

        return null;
    }
}

/// <summary>CPU seconds used by each process over <see cref="WallSeconds"/>; null when the process was not found.</summary>
public sealed record CpuUse(double? Server, double? Etcd, double Bench, double WallSeconds)
{
    /// <summary>"server 3.1 s, etcd 2.0 s, bench 4.2 s of 5.0 s x 2 cores".</summary>
    public override string ToString() =>
        $"CPU server {Seconds(Server)}, etcd {Seconds(Etcd)}, bench {Seconds(Bench)} in {WallSeconds:0.0} s x {Environment.ProcessorCount} cores";

    private static string Seconds(double? seconds) => seconds is { } s ? s.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "n/a";
}
