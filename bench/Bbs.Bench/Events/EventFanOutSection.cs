using System.Diagnostics;
using Bbs.Bench.Lrps;
using Bbs.Bench.Measure;
using Bbs.Bench.RawEtcd;
using Bbs.Bench.Report;
using Bbs.Bench.Server;
using Bbs.Client;
using Bbs.Etcd;
using Bbs.Models;
using Bbs.Models.Rules;

namespace Bbs.Bench.Events;

/// <summary>
/// Section 2d: many SSE subscribers on <c>/v1/events.r1</c> while the bench writes LRP changes at a fixed rate.
/// Each write is a claim or a start of a distinct instance, which makes exactly one <c>actual_lrp_changed</c>
/// event; its delivery latency at every subscriber is set against etcd's raw watch latency from section 1.
/// A subscriber whose stream ends before the bench closes it was dropped (the server's slow-consumer rule).
/// </summary>
public sealed class EventFanOutSection(BbsClient client, EtcdClient etcd, ServerProcess server, BenchOptions options, ResultTable table, Baselines baselines)
{
    private const string Section = "2d events";
    private const string Domain = "bench-events";
    private const string Route = "/v1/events.r1";
    private const int InstancesPerLrp = 100;
    private const int WarmUpInstances = 32;
    private const int MaxInFlight = 64;
    private const int ConnectParallelism = 32;
    private const double TargetP99OverRawMs = 25;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DrainStall = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(30);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var raw = baselines.WatchDelivery ??= await RawEtcdSection.MeasureWatchAsync(etcd, options, table, cancellationToken).ConfigureAwait(false);

        // Two writes (claim, start) per instance. A control run with one subscriber and a fifth of the writes comes
        // first: what the same writes cost without the fan-out. Each run has its own warm-up instances.
        int timedInstances = Math.Max(1, (int)(options.EventRate * options.EventDuration.TotalSeconds / 2));
        int controlInstances = Math.Max(1, timedInstances / 5);
        var instances = await DesireAsync((2 * WarmUpInstances) + controlInstances + timedInstances, cancellationToken).ConfigureAwait(false);
        var control = instances.Take(WarmUpInstances + controlInstances).ToList();
        var fanOut = instances.Skip(control.Count).ToList();

        long slowConsumersLogged = 0;
        using var observer = server.ObserveOutput(line =>
        {
            if (line.Contains("disconnected a slow", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref slowConsumersLogged);
            }
        });

        var alone = await RunPhaseAsync(1, control, cancellationToken).ConfigureAwait(false);
        table.Add(
            Section,
            "control: the same writes, 1 subscriber",
            $"p50 {Format.Ms(alone.Delivery.P50Ms)}",
            $"p99 {Format.Ms(alone.Delivery.P99Ms)}; from the write's response p50 {Format.Ms(alone.AfterResponse.P50Ms)}, p99 {Format.Ms(alone.AfterResponse.P99Ms)}; {Describe(alone.Writes)}; server CPU {Format.Ms(ServerMsPerWrite(alone))} per write");

        var memoryBefore = server.Memory();
        bool peakReset = MemorySample.TryResetPeak(server.Pid);
        var phase = await RunPhaseAsync(options.EventSubscribers, fanOut, cancellationToken).ConfigureAwait(false);
        var memoryAfter = server.Memory();
        Report(phase, alone, raw, Interlocked.Read(ref slowConsumersLogged));
        table.Add(
            Section,
            "server RSS during the fan-out (max VmRSS)",
            Format.MiB(phase.PeakRssKib),
            $"VmHWM {Format.MiB(memoryAfter.PeakKib)} {(peakReset ? "(reset before the streams opened)" : "(since start)")}; VmRSS before the streams opened {Format.MiB(memoryBefore.RssKib)}, after they closed {Format.MiB(memoryAfter.RssKib)}");
    }

    /// <summary>
    /// Opens <paramref name="subscribers"/> streams, writes the first <see cref="WarmUpInstances"/> of
    /// <paramref name="instances"/> untimed, then the rest timed at the configured rate, waits for the events and
    /// closes the streams.
    /// </summary>
    private async Task<PhaseResult> RunPhaseAsync(int subscribers, List<(string Guid, int Index)> instances, CancellationToken cancellationToken)
    {
        var warmUp = instances.Take(WarmUpInstances).ToList();
        var timed = instances.Skip(WarmUpInstances).ToList();
        var ledger = new DeliveryLedger(2 * timed.Count);
        using var stopReading = new CancellationTokenSource();
        using var http = NewHttpClient(subscribers);
        var (streams, connect, connectFailures) = await ConnectAllAsync(http, subscribers, ledger, 2 * instances.Count, stopReading.Token, cancellationToken).ConfigureAwait(false);
        try
        {
            if (streams.Count == 0)
            {
                throw new InvalidOperationException($"no subscriber could connect to {Route}: {connectFailures.FirstOrDefault()}");
            }

            // Untimed: the first events through every stream; then every subscriber is known to be reading.
            await WriteAsync(warmUp, rate: Math.Min(options.EventRate, 200), ledger: null, cancellationToken).ConfigureAwait(false);
            await WaitAsync(streams, s => s.Events >= 2 * warmUp.Count, cancellationToken).ConfigureAwait(false);

            using var memory = MemoryWatch.Start(server.Pid);
            var cpu = CpuSplit.Start(server.Pid);
            var writes = await WriteAsync(timed, options.EventRate, ledger, cancellationToken).ConfigureAwait(false);
            var drain = await WaitAsync(streams, s => s.Timed >= writes.Succeeded, cancellationToken).ConfigureAwait(false);
            var cpuUse = cpu.Stop();
            long peakRss = memory.Stop();
            await stopReading.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(streams.Select(s => s.Reading)).ConfigureAwait(false);

            var (delivery, afterResponse) = Summarize(streams, ledger);
            var open = streams.Where(s => s.EndedEarly is null).ToList();
            return new PhaseResult(
                subscribers,
                connect,
                connectFailures,
                writes,
                drain,
                delivery,
                afterResponse,
                Dropped: streams.Count - open.Count,
                FirstDropReason: streams.Select(s => s.EndedEarly).FirstOrDefault(r => r is not null),
                Open: open.Count,
                Missing: open.Sum(s => Math.Max(0, writes.Succeeded - s.Timed)),
                cpuUse,
                peakRss);
        }
        finally
        {
            await stopReading.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(streams.Select(s => s.Reading)).ConfigureAwait(false);
        }
    }

    private void Report(PhaseResult phase, PhaseResult alone, LatencySummary raw, long slowConsumersLogged)
    {
        table.Add(
            Section,
            $"open {Format.Count(phase.Subscribers)} streams on {Route} (HTTP/1.1)",
            Format.Duration(phase.Connect.Elapsed),
            $"{Format.Count(phase.Subscribers - phase.ConnectFailures.Count)} answered 200, {phase.ConnectFailures.Count} failed{(phase.ConnectFailures.Count > 0 ? " (" + phase.ConnectFailures[0] + ")" : string.Empty)}; {ConnectParallelism} at a time, one connect p50 {Format.Ms(phase.Connect.Latency.P50Ms)}, max {Format.Ms(phase.Connect.Latency.MaxMs)}");
        table.Add(
            Section,
            $"LRP writes during the fan-out (claim/start, paced at {Format.PerSecond(options.EventRate, "writes")})",
            Format.PerSecond(phase.Writes.Succeeded / phase.Writes.Elapsed.TotalSeconds, "writes"),
            Describe(phase.Writes));

        var delivery = phase.Delivery;
        table.Add(
            Section,
            $"event delivery latency, {Format.Count(phase.Subscribers)} subscribers",
            $"p50 {Format.Ms(delivery.P50Ms)}",
            $"p99 {Format.Ms(delivery.P99Ms)}, mean {Format.Ms(delivery.MeanMs)}, max {Format.Ms(delivery.MaxMs)} over {Format.Count(delivery.Count)} deliveries; write sent → event read at the subscriber; all in {Format.Duration(phase.Drain)} after the last write returned");
        table.Add(
            Section,
            "event delivery latency from the write's response",
            $"p50 {Format.Ms(phase.AfterResponse.P50Ms)}",
            $"p99 {Format.Ms(phase.AfterResponse.P99Ms)}, max {Format.Ms(phase.AfterResponse.MaxMs)}; negative: the event arrived before the write's own response");
        double overRaw = delivery.P99Ms - raw.P99Ms;
        table.Add(
            Section,
            "delivery p99 − raw etcd watch p99 (section 1)",
            $"{(overRaw >= 0 ? "+" : string.Empty)}{Format.Ms(overRaw)}",
            $"{(overRaw <= TargetP99OverRawMs ? "meets" : "MISSES")} target <= {TargetP99OverRawMs:0} ms (BBS p99 {Format.Ms(delivery.P99Ms)}, raw watch p50 {Format.Ms(raw.P50Ms)}, p99 {Format.Ms(raw.P99Ms)})");

        int dropped = phase.Dropped + phase.ConnectFailures.Count;
        table.Add(
            Section,
            "subscribers dropped (streams that ended early)",
            Format.Count(dropped),
            $"{(dropped == 0 ? "meets" : "MISSES")} target 0{(phase.FirstDropReason is { } reason ? $" (first: {reason})" : string.Empty)}; server logged {slowConsumersLogged} slow-consumer disconnects; {Format.Count(phase.Missing)} events missing at the {Format.Count(phase.Open)} streams left");
        var cpu = phase.Cpu;
        double perDeliveryUs = 1000 * (ServerMsPerWrite(phase) - ServerMsPerWrite(alone)) / Math.Max(1, phase.Subscribers - 1);
        table.Add(
            Section,
            "CPU during the fan-out",
            $"server {cpu.Server / cpu.WallSeconds:0.00} cores",
            $"{cpu}; server {Format.Ms(ServerMsPerWrite(phase))} per write, {Format.Ms(ServerMsPerWrite(alone))} in the control: ≈ {perDeliveryUs:0.0} µs per extra delivery");
    }

    private static double ServerMsPerWrite(PhaseResult phase) => 1000 * phase.Cpu.Server / phase.Writes.Succeeded ?? double.NaN;

    private static string Describe(WriteResult writes) =>
        $"{Format.Count(writes.Succeeded)} writes in {Format.Duration(writes.Elapsed)} ({Format.PerSecond(writes.Succeeded / writes.Elapsed.TotalSeconds, "writes")}), {writes.Failed} failed{(writes.FirstFailure is { } f ? " (" + f + ")" : string.Empty)}; one write p50 {Format.Ms(writes.Latency.P50Ms)}, p99 {Format.Ms(writes.Latency.P99Ms)}";

    /// <summary>Desires the instances in LRPs of <see cref="InstancesPerLrp"/>, index-major so that concurrent writes hit different LRPs.</summary>
    private async Task<IReadOnlyList<(string Guid, int Index)>> DesireAsync(int count, CancellationToken cancellationToken)
    {
        int lrps = (count + InstancesPerLrp - 1) / InstancesPerLrp;
        var guids = Enumerable.Range(0, lrps).Select(i => $"{Domain}-{i:D4}").ToList();
        await LrpFixtures.DesireAllAsync(client, guids, Domain, InstancesPerLrp, parallel: 8, cancellationToken).ConfigureAwait(false);
        return [.. Enumerable.Range(0, InstancesPerLrp).SelectMany(index => guids.Select(guid => (guid, index))).Take(count)];
    }

    private static HttpClient NewHttpClient(int subscribers) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = subscribers + 16,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        ConnectTimeout = ConnectTimeout,
        UseProxy = false,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private async Task<(List<SseSubscriber> Subscribers, LoadResult Connect, List<string> Failures)> ConnectAllAsync(
        HttpClient http, int count, DeliveryLedger ledger, int expectedEvents, CancellationToken stopReading, CancellationToken cancellationToken)
    {
        var uri = new Uri(server.Url, Route);
        var subscribers = new List<SseSubscriber>(count);
        var failures = new List<string>();
        var gate = new Lock();
        var connect = await LoadRunner.ForCountAsync(
            Math.Min(ConnectParallelism, count),
            count,
            async (_, _, ct) =>
            {
                try
                {
                    var subscriber = await SseSubscriber.ConnectAsync(http, uri, ledger, expectedEvents, ConnectTimeout, stopReading, ct).ConfigureAwait(false);
                    lock (gate)
                    {
                        subscribers.Add(subscriber);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
                {
                    lock (gate)
                    {
                        failures.Add($"{ex.GetType().Name}: {ex.Message}");
                    }
                }
            },
            cancellationToken).ConfigureAwait(false);
        Progress.Say($"{Section}: {subscribers.Count} streams open, {failures.Count} failed");
        return (subscribers, connect, failures);
    }

    /// <summary>
    /// Claims and starts each instance (two writes) as cell <c>bench-cell-NNN</c>, launching instances at
    /// <paramref name="rate"/>/2 per second, at most <see cref="MaxInFlight"/> at once; a write that fails is counted,
    /// not retried. With a <paramref name="ledger"/>, each write's send time is recorded there.
    /// </summary>
    private async Task<WriteResult> WriteAsync(List<(string Guid, int Index)> instances, int rate, DeliveryLedger? ledger, CancellationToken cancellationToken)
    {
        double ticksPerInstance = 2.0 * Stopwatch.Frequency / rate;
        using var slots = new SemaphoreSlim(MaxInFlight);
        var latencies = new double[2 * instances.Count];
        int succeeded = 0, failed = 0;
        string? firstFailure = null;
        var running = new List<Task>(instances.Count);
        long started = Clock.Now;
        for (int k = 0; k < instances.Count; k++)
        {
            var wait = Stopwatch.GetElapsedTime(Clock.Now, started + (long)(k * ticksPerInstance));
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }

            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            running.Add(ClaimAndStartAsync(k));
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        var elapsed = TimeSpan.FromMilliseconds(Clock.MsSince(started));
        return new WriteResult(succeeded, failed, firstFailure, elapsed, LatencySummary.Of(latencies.Where(l => l > 0)));

        async Task ClaimAndStartAsync(int k)
        {
            var (guid, index) = instances[k];
            int cell = k % options.Cells;
            var instanceKey = new ActualLRPInstanceKey { CellId = $"bench-cell-{cell:D3}", InstanceGuid = $"ig-{guid}-{index}" };
            try
            {
                int? id = ledger?.Sending(guid, index, ActualLrpStates.Claimed);
                long t0 = Clock.Now;
                await client.ClaimActualLrpAsync(guid, index, instanceKey, cancellationToken: cancellationToken).ConfigureAwait(false);
                Completed(2 * k, id, t0);

                id = ledger?.Sending(guid, index, ActualLrpStates.Running);
                t0 = Clock.Now;
                await client.StartActualLrpAsync(LrpFixtures.Key(guid, index, Domain), instanceKey, LrpFixtures.NetInfo(cell, index), cancellationToken: cancellationToken).ConfigureAwait(false);
                Completed((2 * k) + 1, id, t0);
            }
            catch (Exception ex) when (ex is BbsException or HttpRequestException)
            {
                Interlocked.Increment(ref failed);
                Interlocked.CompareExchange(ref firstFailure, $"{ex.GetType().Name}: {ex.Message}", null);
            }
            finally
            {
                slots.Release();
            }
        }

        void Completed(int write, int? id, long sent)
        {
            if (id is { } timed)
            {
                ledger!.Done(timed);
            }

            latencies[write] = Clock.MsSince(sent);
            Interlocked.Increment(ref succeeded);
        }
    }

    /// <summary>
    /// Waits until every stream still open satisfies <paramref name="done"/>, or none made progress for
    /// <see cref="DrainStall"/>, or <see cref="DrainLimit"/> passed; returns the time waited.
    /// </summary>
    private static async Task<TimeSpan> WaitAsync(IReadOnlyList<SseSubscriber> subscribers, Func<SseSubscriber, bool> done, CancellationToken cancellationToken)
    {
        long started = Clock.Now, progressed = started, seen = -1;
        while (true)
        {
            var open = subscribers.Where(s => s.EndedEarly is null).ToList();
            if (open.All(done))
            {
                return Stopwatch.GetElapsedTime(started);
            }

            long events = open.Sum(s => s.Events);
            if (events != seen)
            {
                (seen, progressed) = (events, Clock.Now);
            }

            if (Stopwatch.GetElapsedTime(progressed) > DrainStall || Stopwatch.GetElapsedTime(started) > DrainLimit)
            {
                return Stopwatch.GetElapsedTime(started);
            }

            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Percentiles over every delivery at every subscriber, counted from each write's send time and from its
    /// response (millions of samples: floats, each array sorted once).
    /// </summary>
    private static (LatencySummary SinceSent, LatencySummary SinceResponse) Summarize(List<SseSubscriber> subscribers, DeliveryLedger ledger)
    {
        int count = subscribers.Sum(s => s.Writes.Count);
        var sinceSent = new float[count];
        var sinceDone = new float[count];
        int n = 0;
        foreach (var subscriber in subscribers)
        {
            for (int i = 0; i < subscriber.Writes.Count; i++, n++)
            {
                sinceSent[n] = ledger.SinceSent(subscriber.Writes[i], subscriber.ArrivedMs[i]);
                sinceDone[n] = ledger.SinceDone(subscriber.Writes[i], subscriber.ArrivedMs[i]);
            }
        }

        return (Of(sinceSent), Of(sinceDone));
    }

    private static LatencySummary Of(float[] samples)
    {
        int n = samples.Length;
        if (n == 0)
        {
            return LatencySummary.Of([]);
        }

        double mean = samples.Average(s => (double)s);
        Array.Sort(samples);
        double Percentile(double p) => samples[Math.Clamp((int)Math.Ceiling(p / 100 * n), 1, n) - 1];
        return new LatencySummary(n, mean, Percentile(50), Percentile(99), samples[^1]);
    }

    private sealed record WriteResult(int Succeeded, int Failed, string? FirstFailure, TimeSpan Elapsed, LatencySummary Latency);

    private sealed record PhaseResult(
        int Subscribers,
        LoadResult Connect,
        List<string> ConnectFailures,
        WriteResult Writes,
        TimeSpan Drain,
        LatencySummary Delivery,
        LatencySummary AfterResponse,
        int Dropped,
        string? FirstDropReason,
        int Open,
        long Missing,
        CpuUse Cpu,
        long PeakRssKib);
}
