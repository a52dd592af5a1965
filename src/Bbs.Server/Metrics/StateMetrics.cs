using System.Diagnostics.Metrics;
using Bbs.Db;
using Bbs.Models.Rules;
using Bbs.Store.View;
using BbsTask = Bbs.Models.Task;

namespace Bbs.Server.Metrics;

/// <summary>
/// The LRP, task, cell and domain gauges (Diego's LRPsDesired, LRPsRunning, LRPsMissing, TasksPending, Domain.*, …),
/// counted from the store view's latest snapshot: exact at the view's revision (milliseconds behind etcd), on every
/// instance, leader or not. They are counted when scraped, once per view revision, from the records the view
/// already decoded, so nothing on the request path pays for them.
/// </summary>
public sealed class StateMetrics
{
    private readonly KeyValueView view;
    private readonly Lock gate = new();
    private StateCounts? counted;

    public StateMetrics(KeyValueView view, IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        this.view = view;
        var meter = meters.Create(Telemetry.MeterName);
        Gauge(meter, "bbs_lrps_desired", "instances desired, over every desired LRP (Diego: LRPsDesired)", c => c.LrpsDesired);
        Gauge(meter, "bbs_lrps_running", "actual LRPs RUNNING, evacuating copies not counted (LRPsRunning)", c => c.LrpsRunning);
        Gauge(meter, "bbs_lrps_claimed", "actual LRPs CLAIMED (LRPsClaimed)", c => c.LrpsClaimed);
        Gauge(meter, "bbs_lrps_unclaimed", "actual LRPs UNCLAIMED (LRPsUnclaimed)", c => c.LrpsUnclaimed);
        Gauge(meter, "bbs_lrps_missing", "desired instances with no actual LRP (LRPsMissing)", c => c.LrpsMissing);
        Gauge(meter, "bbs_lrps_extra", "actual LRPs with no desired instance (LRPsExtra)", c => c.LrpsExtra);
        Gauge(meter, "bbs_crashed_actual_lrps", "actual LRPs CRASHED (CrashedActualLRPs)", c => c.CrashedActualLrps);
        Gauge(meter, "bbs_crashing_desired_lrps", "desired LRPs with at least one CRASHED instance (CrashingDesiredLRPs)", c => c.CrashingDesiredLrps);
        Gauge(meter, "bbs_tasks_pending", "tasks Pending (TasksPending)", c => c.TasksPending);
        Gauge(meter, "bbs_tasks_running", "tasks Running (TasksRunning)", c => c.TasksRunning);
        Gauge(meter, "bbs_tasks_completed", "tasks Completed (TasksCompleted)", c => c.TasksCompleted);
        Gauge(meter, "bbs_tasks_resolving", "tasks Resolving (TasksResolving)", c => c.TasksResolving);
        Gauge(meter, "bbs_cells_present", "cell presences (PresentCells)", c => c.CellsPresent);
        meter.CreateObservableGauge(
            "bbs_domain_fresh",
            () => Count() is { } c ? c.Domains.Select(d => new Measurement<long>(d.Value ? 1 : 0, new KeyValuePair<string, object?>("domain", d.Key))) : [],
            description: "1 for a fresh domain, 0 for a domain of desired LRPs that is not fresh (Domain.<name>)");
    }

    /// <summary>The counts at the view's latest revision; null before the view is loaded.</summary>
    public StateCounts? Count()
    {
        if (view.Current is not { } snapshot)
        {
            return null;
        }

        lock (gate)
        {
            if (counted is null || counted.Revision != snapshot.Revision)
            {
                counted = StateCounts.Of(snapshot);
            }

            return counted;
        }
    }

    private void Gauge(Meter meter, string name, string description, Func<StateCounts, long> value) =>
        meter.CreateObservableGauge(name, () => Count() is { } c ? [new Measurement<long>(value(c))] : Array.Empty<Measurement<long>>(), description: description);
}

/// <summary>What <see cref="StateMetrics"/> reports, counted from one snapshot.</summary>
public sealed record StateCounts(long Revision)
{
    public long LrpsDesired { get; private init; }

    public long LrpsRunning { get; private init; }

    public long LrpsClaimed { get; private init; }

    public long LrpsUnclaimed { get; private init; }

    public long LrpsMissing { get; private init; }

    public long LrpsExtra { get; private init; }

    public long CrashedActualLrps { get; private init; }

    public long CrashingDesiredLrps { get; private init; }

    public long TasksPending { get; private init; }

    public long TasksRunning { get; private init; }

    public long TasksCompleted { get; private init; }

    public long TasksResolving { get; private init; }

    public long CellsPresent { get; private init; }

    /// <summary>Every fresh domain (true) and every domain of a desired LRP that is not fresh (false).</summary>
    public IReadOnlyDictionary<string, bool> Domains { get; private init; } = new Dictionary<string, bool>();

    public static StateCounts Of(ViewSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var domains = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var entry in snapshot.Entries(Keys.DomainPrefix))
        {
            domains[entry.Kv.Key[Keys.DomainPrefix.Length..]] = true;
        }

        // Per desired LRP: its instance count, then how many of its indices have an ordinary instance.
        var desired = new Dictionary<string, (int Instances, int Present)>(StringComparer.Ordinal);
        long desiredInstances = 0;
        foreach (var entry in snapshot.Entries(Keys.SchedulingInfoPrefix))
        {
            if (entry.Projection is SchedulingRecord info)
            {
                desired[info.ProcessGuid] = (info.Instances, 0);
                desiredInstances += info.Instances;
                domains.TryAdd(info.Domain, false);
            }
        }

        long running = 0, claimed = 0, unclaimed = 0, crashed = 0, extra = 0;
        var crashing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in snapshot.Entries(Keys.ActualPrefix))
        {
            if (entry.Projection is not ActualRecord actual || actual.Evacuating)
            {
                continue;
            }

            switch (actual.State)
            {
                case ActualLrpStates.Running: running++; break;
                case ActualLrpStates.Claimed: claimed++; break;
                case ActualLrpStates.Unclaimed: unclaimed++; break;
                case ActualLrpStates.Crashed:
                    crashed++;
                    crashing.Add(actual.ProcessGuid);
                    break;
            }

            if (desired.TryGetValue(actual.ProcessGuid, out var lrp) && actual.Index < lrp.Instances)
            {
                desired[actual.ProcessGuid] = (lrp.Instances, lrp.Present + 1);
            }
            else
            {
                extra++;
            }
        }

        long pending = 0, taskRunning = 0, completed = 0, resolving = 0;
        foreach (var entry in snapshot.Entries(Keys.TaskPrefix))
        {
            switch ((entry.Projection as TaskRecord)?.State)
            {
                case BbsTask.Types.State.Pending: pending++; break;
                case BbsTask.Types.State.Running: taskRunning++; break;
                case BbsTask.Types.State.Completed: completed++; break;
                case BbsTask.Types.State.Resolving: resolving++; break;
            }
        }

        return new StateCounts(snapshot.Revision)
        {
            LrpsDesired = desiredInstances,
            LrpsRunning = running,
            LrpsClaimed = claimed,
            LrpsUnclaimed = unclaimed,
            LrpsMissing = desired.Values.Sum(d => (long)Math.Max(0, d.Instances - d.Present)),
            LrpsExtra = extra,
            CrashedActualLrps = crashed,
            CrashingDesiredLrps = crashing.Count(desired.ContainsKey),
            TasksPending = pending,
            TasksRunning = taskRunning,
            TasksCompleted = completed,
            TasksResolving = resolving,
            CellsPresent = snapshot.Entries(Keys.CellPrefix).Count(),
            Domains = domains,
        };
    }
}
