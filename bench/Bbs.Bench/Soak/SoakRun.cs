using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Bbs.Bench.Lrps;
using Bbs.Bench.Measure;
using Bbs.Bench.Report;
using Bbs.Bench.Server;
using Bbs.Client;
using Bbs.Models;
using Bbs.Testing.Etcd;

namespace Bbs.Bench.Soak;

/// <summary>
/// The soak (issue 12): a long mixed load on one server on a private etcd, with many SSE subscribers, sampling the
/// server every interval: RSS, GC heap, threads, open file handles and request latency. At the end it prints each
/// figure's slope per hour (least squares over the samples after the first, which holds the warm-up). Flat means
/// the slope is small against the level.
/// <code>dotnet run -c Release --project bench/Bbs.Bench -- soak [--minutes 30] [--subscribers 500] [--interval 60] [--no-build | --server-dll PATH]</code>
/// </summary>
public sealed class SoakRun(double minutes, int subscribers, TimeSpan interval, BenchOptions build)
{
    private const string Domain = "soak";
    private const int Cells = 20;
    private const int Writers = 4;

    private readonly ConcurrentQueue<double> latencies = new();
    private long operations;
    private long failures;
    private long events;
    private string repUrl = "http://127.0.0.1:1";

    public static Task<int> MainAsync(string[] args, CancellationToken cancellationToken)
    {
        double minutes = 30;
        int subscribers = 500;
        var interval = TimeSpan.FromSeconds(60);
        var passThrough = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--minutes": minutes = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--subscribers": subscribers = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--interval": interval = TimeSpan.FromSeconds(double.Parse(args[++i], CultureInfo.InvariantCulture)); break;
                default: passThrough.Add(args[i]); break;
            }
        }

        return new SoakRun(minutes, subscribers, interval, BenchOptions.Parse([.. passThrough])).RunAsync(cancellationToken);
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var dll = await ServerBuild.LocateAsync(build, cancellationToken).ConfigureAwait(false);
        await using var etcd = await EtcdServer.StartNewAsync(allowExternal: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var server = await ServerProcess.StartAsync(dll, "etcd", etcd.ClientUrls, ["--Bbs:log_level=warn", "--Bbs:max_requests_in_flight=100000"], cancellationToken).ConfigureAwait(false);
        Progress.Say($"soak: server pid {server.Pid} at {server.Url}, {minutes} min, {subscribers} subscribers, a sample every {interval.TotalSeconds:0} s");

        // The cells' reps: a real HTTP server that accepts every stop, so removals do not wait on unreachable reps.
        await using var rep = await Bbs.Testing.Peers.FakeRep.StartAsync(cancellationToken).ConfigureAwait(false);
        repUrl = rep.Url;
        using var client = new BbsClient(new BbsClientOptions { Url = server.Url, Retries = 1, RequestTimeout = TimeSpan.FromSeconds(30) });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var streams = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = server.Url, Timeout = Timeout.InfiniteTimeSpan };
        using var scrape = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(30) };

        var work = new List<Task> { HeartbeatAsync(client, stop.Token) };
        for (int i = 0; i < subscribers; i++)
        {
            work.Add(SubscribeAsync(streams, i % 3 == 2 ? "/v1/events/tasks.r1" : i % 3 == 1 ? "/v1/events/lrp_instances.r1" : "/v1/events.r1", stop.Token));
        }

        for (int w = 0; w < Writers; w++)
        {
            int writer = w;
            work.Add(Task.Run(() => WriteAsync(client, writer, stop.Token), CancellationToken.None));
        }

        var samples = new List<Sample>();
        var started = Stopwatch.StartNew();
        Console.WriteLine("minute  rss MiB  gc heap MiB  threads  handles  ops/s   p50 ms  p99 ms  failed  streams  events");
        while (started.Elapsed.TotalMinutes < minutes && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            var sample = await SampleAsync(server.Pid, scrape, started.Elapsed, cancellationToken).ConfigureAwait(false);
            samples.Add(sample);
            Console.WriteLine(sample.ToString());
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(work.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
        PrintSlopes(samples);
        return 0;
    }

    private static void PrintSlopes(List<Sample> samples)
    {
        var steady = samples.Skip(1).ToList();
        if (steady.Count < 2)
        {
            Console.WriteLine("too few samples for a slope");
            return;
        }

        Console.WriteLine();
        Console.WriteLine("figure         first    last     slope per hour (least squares over minutes 2..end)");
        Line("rss MiB", steady, s => s.RssMib);
        Line("gc heap MiB", steady, s => s.HeapMib);
        Line("threads", steady, s => s.Threads);
        Line("handles", steady, s => s.Handles);
        Line("p99 ms", steady, s => s.P99Ms);

        static void Line(string name, List<Sample> samples, Func<Sample, double> value)
        {
            var xs = samples.Select(s => s.Elapsed.TotalHours).ToArray();
            var ys = samples.Select(value).ToArray();
            double mx = xs.Average(), my = ys.Average();
            double slope = xs.Zip(ys, (x, y) => (x - mx) * (y - my)).Sum() / xs.Sum(x => (x - mx) * (x - mx));
            Console.WriteLine($"{name,-14} {ys[0],7:0.0}  {ys[^1],7:0.0}  {slope,9:+0.0;-0.0} per hour");
        }
    }

    private async Task<Sample> SampleAsync(int pid, HttpClient scrape, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        var status = await System.IO.File.ReadAllLinesAsync($"/proc/{pid}/status", cancellationToken).ConfigureAwait(false);
        long Kib(string field) => long.Parse(status.First(l => l.StartsWith(field, StringComparison.Ordinal)).Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        int threads = (int)Kib("Threads");
        int handles = Directory.GetFiles($"/proc/{pid}/fd").Length;

        // The managed heap after the last collection, from the server's own runtime metrics.
        double heap = 0;
        var metrics = await scrape.GetStringAsync(new Uri("/metrics", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        foreach (var line in metrics.Split('\n').Where(l => l.StartsWith("dotnet_gc_last_collection_heap_size_bytes", StringComparison.Ordinal)))
        {
            heap += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }

        var window = new List<double>();
        while (latencies.TryDequeue(out var ms))
        {
            window.Add(ms);
        }

        var summary = LatencySummary.Of(window);
        long ops = Interlocked.Exchange(ref operations, 0);
        return new Sample(elapsed, Kib("VmRSS") / 1024.0, heap / (1024 * 1024), threads, handles, ops / interval.TotalSeconds, summary.P50Ms, summary.P99Ms, Interlocked.Exchange(ref failures, 0), subscribers, Interlocked.Read(ref events));
    }

    /// <summary>Cells keep a presence (they would lose their instances to convergence otherwise).</summary>
    private async Task HeartbeatAsync(BbsClient client, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            for (int cell = 0; cell < Cells; cell++)
            {
                try
                {
                    await client.UpsertCellAsync(new CellPresence { CellId = CellId(cell), RepAddress = repUrl, RepUrl = repUrl, Zone = "z1" }, TimeSpan.FromSeconds(60), cancellationToken: cancellationToken).ConfigureAwait(false);
                    await client.UpsertDomainAsync(Domain, TimeSpan.FromSeconds(60), cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is BbsException or HttpRequestException)
                {
                }
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>A stream that reads to its end and reconnects (resuming with Last-Event-ID), counting events.</summary>
    private async Task SubscribeAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        string? lastId = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative)) { Version = HttpVersion.Version11 };
                if (lastId is not null)
                {
                    request.Headers.Add("Last-Event-ID", lastId);
                }

                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
                while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                {
                    if (line.StartsWith("id: ", StringComparison.Ordinal))
                    {
                        lastId = line[4..];
                        Interlocked.Increment(ref events);
                    }
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                await Task.Delay(500, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One writer: an LRP's life (desire, claim and start each instance, crash one, remove) and a task's.</summary>
    private async Task WriteAsync(BbsClient client, int writer, CancellationToken cancellationToken)
    {
        for (long round = 0; !cancellationToken.IsCancellationRequested; round++)
        {
            var guid = $"soak-{writer}-{round}";
            int cell = (int)(round % Cells);
            var instanceKey = new ActualLRPInstanceKey { CellId = CellId(cell), InstanceGuid = Guid.NewGuid().ToString() };
            await TimedAsync(() => client.DesireLrpAsync(LrpFixtures.DesiredLrp(guid, Domain, 3), cancellationToken: cancellationToken)).ConfigureAwait(false);
            for (int index = 0; index < 3; index++)
            {
                int i = index;
                await TimedAsync(() => client.ClaimActualLrpAsync(guid, i, instanceKey, cancellationToken: cancellationToken)).ConfigureAwait(false);
                await TimedAsync(() => client.StartActualLrpAsync(LrpFixtures.Key(guid, i, Domain), instanceKey, LrpFixtures.NetInfo(cell, i), cancellationToken: cancellationToken)).ConfigureAwait(false);
            }

            await TimedAsync(() => client.CrashActualLrpAsync(LrpFixtures.Key(guid, 0, Domain), instanceKey, "soak crash", cancellationToken: cancellationToken)).ConfigureAwait(false);
            await TimedAsync(() => client.ActualLrpsAsync(new ActualLrpFilter(CellId: CellId(cell)), cancellationToken: cancellationToken)).ConfigureAwait(false);
            await TimedAsync(() => client.RemoveDesiredLrpAsync(guid, cancellationToken: cancellationToken)).ConfigureAwait(false);

            var task = $"soak-task-{writer}-{round}";
            await TimedAsync(() => client.DesireTaskAsync(task, Domain, new TaskDefinition
            {
                RootFs = "preloaded:cflinuxfs4",
                Action = new Bbs.Models.Action { RunAction = new RunAction { Path = "/bin/true", User = "vcap" } },
                MemoryMb = 256,
                DiskMb = 1024,
            }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await TimedAsync(() => client.StartTaskAsync(task, CellId(cell), cancellationToken: cancellationToken)).ConfigureAwait(false);
            await TimedAsync(() => client.CompleteTaskAsync(task, CellId(cell), failed: false, failureReason: string.Empty, result: "ok", cancellationToken: cancellationToken)).ConfigureAwait(false);
            await TimedAsync(() => client.ResolvingTaskAsync(task, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await TimedAsync(() => client.DeleteTaskAsync(task, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    private async Task TimedAsync(Func<Task> call)
    {
        long start = Clock.Now;
        try
        {
            await call().ConfigureAwait(false);
            latencies.Enqueue(Clock.MsSince(start));
            Interlocked.Increment(ref operations);
        }
        catch (Exception ex) when (ex is BbsException or HttpRequestException or TaskCanceledException)
        {
            Interlocked.Increment(ref failures);
        }
    }

    private static string CellId(int cell) => "soak-cell-" + cell.ToString(CultureInfo.InvariantCulture);

    private sealed record Sample(TimeSpan Elapsed, double RssMib, double HeapMib, int Threads, int Handles, double OpsPerSecond, double P50Ms, double P99Ms, long Failed, int Streams, long Events)
    {
        public override string ToString() =>
            $"{Elapsed.TotalMinutes,6:0.0}  {RssMib,7:0.0}  {HeapMib,11:0.0}  {Threads,7}  {Handles,7}  {OpsPerSecond,6:0}  {P50Ms,6:0.0}  {P99Ms,6:0.0}  {Failed,6}  {Streams,7}  {Events,8}";
    }
}
