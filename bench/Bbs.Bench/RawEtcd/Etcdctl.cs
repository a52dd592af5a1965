using System.Diagnostics;
using System.Globalization;
using Bbs.Bench.Measure;
using Bbs.Bench.Report;

namespace Bbs.Bench.RawEtcd;

/// <summary>
/// etcd's own Go client, <c>etcdctl</c> (Debian's <c>etcd-client</c>), doing the work our client is timed on, so that
/// "raw etcd" means the better of the two. Each call is one process: its start is part of the time, as a user sees it.
/// </summary>
public sealed class Etcdctl
{
    private readonly string _path;
    private readonly string _endpoints;

    private Etcdctl(string path, IReadOnlyList<Uri> endpoints)
    {
        _path = path;
        _endpoints = string.Join(',', endpoints.Select(e => e.GetLeftPart(UriPartial.Authority)));
    }

    /// <summary>etcdctl from PATH, installing Debian's <c>etcd-client</c> when it is missing and we are root; null when there is none.</summary>
    public static async Task<Etcdctl?> LocateAsync(IReadOnlyList<Uri> endpoints, CancellationToken cancellationToken)
    {
        string? path = Find();
        if (path is null && Environment.UserName == "root")
        {
            Progress.Say("etcdctl not found: installing Debian's etcd-client");
            await RunQuietAsync("apt-get", ["update", "-qq"], cancellationToken).ConfigureAwait(false);
            await RunQuietAsync("apt-get", ["install", "-y", "-qq", "etcd-client"], cancellationToken).ConfigureAwait(false);
            path = Find();
        }

        return path is null ? null : new Etcdctl(path, endpoints);
    }

    /// <summary>
    /// Times <c>etcdctl get --prefix</c> (one unpaged range, values printed to a pipe we drain) once to warm the
    /// page cache, then <paramref name="runs"/> times; checks each read printed at least <paramref name="minBytes"/>.
    /// </summary>
    public async Task<LatencySummary> GetPrefixAsync(string prefix, int runs, long minBytes, CancellationToken cancellationToken)
    {
        var samples = new List<double>(runs);
        for (int run = -1; run < runs; run++)
        {
            long t0 = Clock.Now;
            long bytes = await DrainAsync(["get", "--prefix", prefix], cancellationToken).ConfigureAwait(false);
            double ms = Clock.MsSince(t0);
            if (bytes < minBytes)
            {
                throw new InvalidOperationException($"etcdctl get --prefix {prefix} printed {bytes} bytes, expected at least {minBytes}");
            }

            if (run >= 0)
            {
                samples.Add(ms);
            }
        }

        return LatencySummary.Of(samples);
    }

    /// <summary>
    /// <c>etcdctl check perf</c>: a fixed 60 s, rate-limited put load (<paramref name="load"/> "l" is 8,000 writes/s
    /// from 500 clients) that passes or fails; returns its own summary lines.
    /// </summary>
    public async Task<string> CheckPerfAsync(string load, string prefix, CancellationToken cancellationToken)
    {
        var (code, output) = await CaptureAsync(["check", "perf", $"--load={load}", $"--prefix={prefix}", "--auto-compact", "--auto-defrag"], cancellationToken).ConfigureAwait(false);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("PASS", StringComparison.Ordinal) || l.StartsWith("FAIL", StringComparison.Ordinal))
            .ToList();
        return lines.Count > 0 ? string.Join("; ", lines) : $"exit {code}: {output.Trim()}";
    }

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "etcdctl"))
            .FirstOrDefault(File.Exists);

    private ProcessStartInfo Start(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(_path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ETCDCTL_API"] = "3";
        start.ArgumentList.Add($"--endpoints={_endpoints}");
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    private async Task<long> DrainAsync(IEnumerable<string> args, CancellationToken cancellationToken)
    {
        using var process = Process.Start(Start(args)) ?? throw new InvalidOperationException("etcdctl did not start");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var buffer = new byte[1 << 16];
        long total = 0;
        var stdout = process.StandardOutput.BaseStream;
        int n;
        while ((n = await stdout.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += n;
        }

        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return process.ExitCode == 0
            ? total
            : throw new InvalidOperationException($"etcdctl exited {process.ExitCode}: {(await stderr.ConfigureAwait(false)).Trim()}");
    }

    private async Task<(int Code, string Output)> CaptureAsync(IEnumerable<string> args, CancellationToken cancellationToken)
    {
        using var process = Process.Start(Start(args)) ?? throw new InvalidOperationException("etcdctl did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return (process.ExitCode, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false));
    }

    private static async Task RunQuietAsync(string file, string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start);
        if (process is not null)
        {
            _ = process.StandardOutput.ReadToEndAsync(cancellationToken);
            _ = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{_path} ({_endpoints})");
}
