using System.Diagnostics.Metrics;
using Bbs.Db;

namespace Bbs.Server.Convergence;

/// <summary>
/// Convergence passes (Diego: ConvergenceLRPRuns, ConvergenceLRPDuration, ConvergenceTaskRuns, …) on the meter
/// <see cref="Metrics.Telemetry.MeterName"/>. The LRP and task gauges are counted from the store view
/// (<see cref="Metrics.StateMetrics"/>), so every instance reports them, not only the leader after a pass.
/// </summary>
public sealed class ConvergenceMetrics
{
    public const string MeterName = Metrics.Telemetry.MeterName;

    private readonly Counter<long> taskRuns;
    private readonly Histogram<double> taskDuration;
    private readonly Counter<long> tasksKicked;
    private readonly Counter<long> tasksPruned;
    private readonly Counter<long> lrpRuns;
    private readonly Histogram<double> lrpDuration;
    private LrpConvergenceResult? lastLrps;

    public ConvergenceMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        var seconds = new InstrumentAdvice<double> { HistogramBucketBoundaries = Metrics.Telemetry.SecondsBuckets };
        taskRuns = meter.CreateCounter<long>("bbs_convergence_task_runs", description: "task convergence passes (ConvergenceTaskRuns)");
        taskDuration = meter.CreateHistogram("bbs_convergence_task_duration", unit: "s", description: "task convergence pass duration (ConvergenceTaskDuration)", tags: null, advice: seconds);
        tasksKicked = meter.CreateCounter<long>("bbs_convergence_tasks_kicked", description: "tasks convergence re-auctioned or re-resolved (ConvergenceTasksKicked)");
        tasksPruned = meter.CreateCounter<long>("bbs_convergence_tasks_pruned", description: "tasks convergence deleted (ConvergenceTasksPruned)");
        lrpRuns = meter.CreateCounter<long>("bbs_convergence_lrp_runs", description: "LRP convergence passes (ConvergenceLRPRuns)");
        lrpDuration = meter.CreateHistogram("bbs_convergence_lrp_duration", unit: "s", description: "LRP convergence pass duration (ConvergenceLRPDuration)", tags: null, advice: seconds);
    }

    /// <summary>The latest LRP pass, for tests and /readyz-style introspection.</summary>
    public LrpConvergenceResult? LastLrpConvergence => lastLrps;

    public void LrpsConverged(LrpConvergenceResult result, int cells, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(result);
        lastLrps = result;
        lrpRuns.Add(1);
        lrpDuration.Record(duration.TotalSeconds);
    }

    public void TasksConverged(TaskConvergenceResult result, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(result);
        taskRuns.Add(1);
        taskDuration.Record(duration.TotalSeconds);
        tasksKicked.Add(result.Kicked);
        tasksPruned.Add(result.Pruned);
    }
}
