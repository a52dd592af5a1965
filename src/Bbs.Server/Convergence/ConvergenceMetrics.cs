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
    private TaskConvergenceResult? lastTasks;

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
    }

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
