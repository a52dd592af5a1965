using System.Diagnostics.Metrics;
using Bbs.Db;

namespace Bbs.Server.Convergence;

/// <summary>Convergence metrics under BBS's names, through System.Diagnostics.Metrics (meter "Bbs.Server").</summary>
public sealed class ConvergenceMetrics
{
    public const string MeterName = "Bbs.Server";

    private readonly Counter<long> taskRuns;
    private readonly Histogram<double> taskDuration;
    private readonly Counter<long> tasksKicked;
    private readonly Counter<long> tasksPruned;
    private readonly Counter<long> lrpRuns;
    private readonly Histogram<double> lrpDuration;
    private TaskConvergenceResult? lastTasks;
    private LrpConvergenceResult? lastLrps;
    private int presentCells;

    public ConvergenceMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        taskRuns = meter.CreateCounter<long>("ConvergenceTaskRuns");
        taskDuration = meter.CreateHistogram<double>("ConvergenceTaskDuration", unit: "s");
        tasksKicked = meter.CreateCounter<long>("ConvergenceTasksKicked");
        tasksPruned = meter.CreateCounter<long>("ConvergenceTasksPruned");
        meter.CreateObservableGauge("TasksPending", () => (long)(lastTasks?.Pending ?? 0));
        meter.CreateObservableGauge("TasksRunning", () => (long)(lastTasks?.Running ?? 0));
        meter.CreateObservableGauge("TasksCompleted", () => (long)(lastTasks?.Completed ?? 0));
        meter.CreateObservableGauge("TasksResolving", () => (long)(lastTasks?.Resolving ?? 0));
        lrpRuns = meter.CreateCounter<long>("ConvergenceLRPRuns");
        lrpDuration = meter.CreateHistogram<double>("ConvergenceLRPDuration", unit: "s");
        meter.CreateObservableGauge("LRPsMissing", () => (long)(lastLrps?.Missing ?? 0));
        meter.CreateObservableGauge("LRPsExtra", () => (long)(lastLrps?.Extra ?? 0));
        meter.CreateObservableGauge("LRPsDesired", () => (long)(lastLrps?.Desired ?? 0));
        meter.CreateObservableGauge("LRPsUnclaimed", () => (long)(lastLrps?.Unclaimed ?? 0));
        meter.CreateObservableGauge("LRPsClaimed", () => (long)(lastLrps?.Claimed ?? 0));
        meter.CreateObservableGauge("LRPsRunning", () => (long)(lastLrps?.Running ?? 0));
        meter.CreateObservableGauge("CrashedActualLRPs", () => (long)(lastLrps?.Crashed ?? 0));
        meter.CreateObservableGauge("CrashingDesiredLRPs", () => (long)(lastLrps?.CrashingDesired ?? 0));
        meter.CreateObservableGauge("PresentCells", () => (long)presentCells);
        meter.CreateObservableGauge("Domain", DomainFreshness);
    }

    /// <summary>The latest LRP pass, for tests and /readyz-style introspection.</summary>
    public LrpConvergenceResult? LastLrpConvergence => lastLrps;

    public void LrpsConverged(LrpConvergenceResult result, int cells, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(result);
        lastLrps = result;
        presentCells = cells;
        lrpRuns.Add(1);
        lrpDuration.Record(duration.TotalSeconds);
    }

    /// <summary>BBS's Domain.&lt;name&gt; metric: 1 for a fresh domain, 0 for one that lapsed, tagged with the domain.</summary>
    private IEnumerable<Measurement<long>> DomainFreshness() =>
        (lastLrps?.DomainFreshness ?? new Dictionary<string, bool>())
            .Select(d => new Measurement<long>(d.Value ? 1 : 0, new KeyValuePair<string, object?>("domain", d.Key)));

    public void TasksConverged(TaskConvergenceResult result, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(result);
        lastTasks = result;
        taskRuns.Add(1);
        taskDuration.Record(duration.TotalSeconds);
        tasksKicked.Add(result.Kicked);
        tasksPruned.Add(result.Pruned);
    }
}
