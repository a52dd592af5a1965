using Bbs.Bench.Measure;
using Bbs.Bench.RawEtcd;
using Bbs.Bench.Report;
using Bbs.Client;
using Bbs.Etcd;
using Bbs.Models;

namespace Bbs.Bench.TaskCycle;

/// <summary>
/// Section 2c: the whole life of a task without a completion callback, as a cell and the task's owner drive it:
/// desire → start → complete → resolving → delete, five guarded writes, from 64 concurrent workers. Their rate is
/// compared with the raw guarded-transaction rate at the same concurrency.
/// </summary>
public sealed class TaskCycleSection(BbsClient client, EtcdClient etcd, int serverPid, BenchOptions options, ResultTable table, Baselines baselines)
{
    private const string Section = "2c tasks";
    private const string Domain = "bench-tasks";
    private const int WritesPerTask = 5;
    private static readonly string[] Steps = ["desire", "start", "complete", "resolving", "delete"];

    private int _phase;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        int workers = options.TaskWorkers;

        // Untimed: JIT, connections and the server's task paths warm up on a few cycles per worker.
        await CycleAsync(workers, (operation, ct) => LoadRunner.ForCountAsync(workers, 2L * workers, operation, ct), cancellationToken).ConfigureAwait(false);

        var cpu = CpuSplit.Start(serverPid);
        var (load, steps) = await CycleAsync(workers, (operation, ct) => LoadRunner.ForDurationAsync(workers, options.TaskDuration, operation, ct), cancellationToken).ConfigureAwait(false);
        var cpuUse = cpu.Stop();
        await VerifyNoneLeftAsync(cancellationToken).ConfigureAwait(false);

        double tasksPerSecond = load.OpsPerSecond;
        double writesPerSecond = WritesPerTask * tasksPerSecond;
        table.Add(
            Section,
            $"task cycle (desire, start, complete, resolving, delete), {workers} workers",
            Format.PerSecond(tasksPerSecond, "tasks"),
            $"{Format.Count(load.Operations)} tasks, {Format.PerSecond(writesPerSecond, "writes")} in {Format.Duration(load.Elapsed)}; one cycle p50 {Format.Ms(load.Latency.P50Ms)}, p99 {Format.Ms(load.Latency.P99Ms)}");
        table.Add(
            Section,
            "per-call latency p50 (p99)",
            Format.Ms(steps.Average(s => s.P50Ms)) + " mean p50",
            string.Join(", ", Steps.Select((name, i) => $"{name} {Format.Ms(steps[i].P50Ms)} ({Format.Ms(steps[i].P99Ms)})")));
        table.Add(Section, "server CPU per task (5 writes)", Format.Ms(1000 * cpuUse.Server / load.Operations ?? double.NaN), cpuUse.ToString());

        double raw = baselines.GuardedTxn64 ??= await RawEtcdSection.MeasureGuardedTxn64Async(etcd, options, table, cancellationToken).ConfigureAwait(false);
        table.Add(
            Section,
            "BBS task writes/s ÷ raw guarded txn/s @64",
            Format.Ratio(writesPerSecond / raw),
            options.Store == "etcd"
                ? $"{Format.PerSecond(writesPerSecond, "writes")} vs {Format.PerSecond(raw, "txns")}; 2a's target for LRP lifecycle writes is >= 0.6x"
                : "not comparable: the server runs on the embedded store, not etcd");
    }

    /// <summary>
    /// Runs cycles on <paramref name="workers"/> workers through <paramref name="run"/> (a <see cref="LoadRunner"/>
    /// call); returns its result and each step's latency over all cycles.
    /// </summary>
    private async Task<(LoadResult Load, LatencySummary[] Steps)> CycleAsync(
        int workers, Func<Func<int, long, CancellationToken, Task>, CancellationToken, Task<LoadResult>> run, CancellationToken cancellationToken)
    {
        int phase = Interlocked.Increment(ref _phase);
        var stepTimes = Enumerable.Range(0, workers).Select(_ => Steps.Select(_ => new List<double>(256)).ToArray()).ToArray();
        var load = await run(
            async (worker, seq, ct) =>
            {
                string guid = $"bench-task-{phase}-{worker:D3}-{seq}";
                string cell = $"bench-cell-{worker % options.Cells:D3}";
                var times = stepTimes[worker];
                long t = Clock.Now;
                await client.DesireTaskAsync(guid, Domain, Definition(), cancellationToken: ct).ConfigureAwait(false);
                t = Lap(times[0], t);
                if (!await client.StartTaskAsync(guid, cell, cancellationToken: ct).ConfigureAwait(false))
                {
                    throw new InvalidOperationException($"starting pending task {guid} answered should_start false");
                }

                t = Lap(times[1], t);
                await client.CompleteTaskAsync(guid, cell, failed: false, failureReason: string.Empty, result: "ok", cancellationToken: ct).ConfigureAwait(false);
                t = Lap(times[2], t);
                await client.ResolvingTaskAsync(guid, cancellationToken: ct).ConfigureAwait(false);
                t = Lap(times[3], t);
                await client.DeleteTaskAsync(guid, cancellationToken: ct).ConfigureAwait(false);
                Lap(times[4], t);
            },
            cancellationToken).ConfigureAwait(false);
        var steps = Steps.Select((_, i) => LatencySummary.Of(stepTimes.SelectMany(w => w[i]))).ToArray();
        return (load, steps);
    }

    private static long Lap(List<double> times, long since)
    {
        long now = Clock.Now;
        times.Add(Clock.MsBetween(since, now));
        return now;
    }

    /// <summary>Untimed check that every task the runs created was deleted again.</summary>
    private async Task VerifyNoneLeftAsync(CancellationToken cancellationToken)
    {
        var left = await client.TasksAsync(new TaskFilter(Domain: Domain), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (left.Count != 0)
        {
            throw new InvalidOperationException($"after the task cycles, {left.Count} tasks of domain {Domain} are left (first: {left[0].TaskGuid}, {left[0].State})");
        }
    }

    /// <summary>A task a CF app's staging or `cf run-task` would send, without a completion callback.</summary>
    private static TaskDefinition Definition() => new()
    {
        RootFs = "preloaded:cflinuxfs4",
        Action = new Bbs.Models.Action { RunAction = new RunAction { Path = "/bin/true", User = "vcap" } },
        MemoryMb = 256,
        DiskMb = 1024,
        LogGuid = "bench-task-log",
    };
}
