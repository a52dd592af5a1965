using Bbs.Faults.Workload;
using Bbs.Models;
using BbsTask = Bbs.Models.Task;

namespace Bbs.Faults;

/// <summary>
/// The checks of the final state: what an acknowledged write implies for its entity (each returns null when the
/// state reflects it, else what is wrong), and the invariants no state may break, whatever was acknowledged.
/// </summary>
public static class Checks
{
    public static string? DesiredPresent(FinalState state, string guid, int instances) =>
        !state.Desired.TryGetValue(guid, out var desired) ? $"desired LRP {guid} is missing"
        : desired.Instances != instances ? $"desired LRP {guid} has {desired.Instances} instances, not {instances}"
        : null;

    public static string? DesiredAbsent(FinalState state, string guid) =>
        state.Desired.ContainsKey(guid) ? $"desired LRP {guid} is still there after its removal" : null;

    /// <summary>The instance is in <paramref name="expected"/> (or <paramref name="alsoAllowed"/>), on the instance key given, with the net address given.</summary>
    public static string? Instance(
        FinalState state,
        string guid,
        int index,
        string expected,
        ActualLRPInstanceKey? instance = null,
        string? address = null,
        int minCrashCount = 0,
        string? alsoAllowed = null)
    {
        if (!state.Instances.TryGetValue((guid, index), out var lrp))
        {
            return $"instance {guid}/{index} is missing (expected {expected})";
        }

        if (lrp.State != expected && lrp.State != alsoAllowed)
        {
            return $"instance {guid}/{index} is {lrp.State}, not {expected}";
        }

        if (instance is not null && !instance.Equals(lrp.ActualLrpInstanceKey))
        {
            return $"instance {guid}/{index} is on {lrp.ActualLrpInstanceKey}, not {instance}";
        }

        if (address is not null && lrp.ActualLrpNetInfo?.Address != address)
        {
            return $"instance {guid}/{index} has address {lrp.ActualLrpNetInfo?.Address}, not {address}";
        }

        return lrp.CrashCount < minCrashCount ? $"instance {guid}/{index} has crash count {lrp.CrashCount}, not at least {minCrashCount}" : null;
    }

    /// <summary>A retired instance is gone, or the leader's convergence has recreated it UNCLAIMED.</summary>
    public static string? InstanceRetired(FinalState state, string guid, int index) =>
        state.Instances.TryGetValue((guid, index), out var lrp) && lrp.State != "UNCLAIMED"
            ? $"retired instance {guid}/{index} is {lrp.State} on {lrp.ActualLrpInstanceKey?.CellId}"
            : null;

    public static string? InstanceAbsent(FinalState state, string guid, int index) =>
        state.Instances.TryGetValue((guid, index), out var lrp) ? $"instance {guid}/{index} is {lrp.State} after its desired LRP was removed" : null;

    public static string? Evacuating(FinalState state, string guid, int index, ActualLRPInstanceKey instance) =>
        !state.Evacuating.TryGetValue((guid, index), out var lrp) ? $"evacuating {guid}/{index} is missing"
        : !instance.Equals(lrp.ActualLrpInstanceKey) ? $"evacuating {guid}/{index} is on {lrp.ActualLrpInstanceKey}, not {instance}"
        : null;

    public static string? NoEvacuating(FinalState state, string guid, int index) =>
        state.Evacuating.ContainsKey((guid, index)) ? $"evacuating {guid}/{index} is still there after its removal" : null;

    public static string? Task(FinalState state, string guid, BbsTask.Types.State expected, string? cell = null, string? result = null)
    {
        if (!state.Tasks.TryGetValue(guid, out var task))
        {
            return $"task {guid} is missing (expected {expected})";
        }

        return task.State != expected ? $"task {guid} is {task.State}, not {expected}"
            : cell is not null && task.CellId != cell ? $"task {guid} is on cell '{task.CellId}', not {cell}"
            : result is not null && (task.Result != result || task.Failed) ? $"task {guid} has result '{task.Result}' (failed {task.Failed}), not {result}"
            : null;
    }

    public static string? TaskAbsent(FinalState state, string guid) =>
        state.Tasks.TryGetValue(guid, out var task) ? $"task {guid} is {task.State} after its deletion" : null;

    /// <summary>
    /// States no history can produce: RUNNING without net info, two records for one index and presence, a desired
    /// LRP without one of its instances (unless the journal says it was retired last), tasks whose fields contradict
    /// their state.
    /// </summary>
    public static IEnumerable<string> Impossible(FinalState state, Journal journal)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(journal);
        var retired = journal.Entries.Where(e => e.Op == "RetireActualLRP").Select(e => e.Entity).ToHashSet();
        foreach (var lrp in state.Actuals)
        {
            string name = $"{lrp.ActualLrpKey.ProcessGuid}/{lrp.ActualLrpKey.Index} ({lrp.Presence})";
            if (lrp.State == "RUNNING" && string.IsNullOrEmpty(lrp.ActualLrpNetInfo?.Address))
            {
                yield return $"actual LRP {name} is RUNNING without net info";
            }

            if (lrp.State is "CLAIMED" or "RUNNING" && string.IsNullOrEmpty(lrp.ActualLrpInstanceKey?.CellId))
            {
                yield return $"actual LRP {name} is {lrp.State} without a cell";
            }

            if (lrp.State == "UNCLAIMED" && !string.IsNullOrEmpty(lrp.ActualLrpInstanceKey?.CellId))
            {
                yield return $"actual LRP {name} is UNCLAIMED on cell {lrp.ActualLrpInstanceKey.CellId}";
            }
        }

        foreach (var duplicate in state.Actuals.GroupBy(a => (a.ActualLrpKey.ProcessGuid, a.ActualLrpKey.Index, a.Presence)).Where(g => g.Count() > 1))
        {
            yield return $"{duplicate.Count()} records for {duplicate.Key.ProcessGuid}/{duplicate.Key.Index} {duplicate.Key.Presence}";
        }

        foreach (var desired in state.Desired.Values)
        {
            for (int i = 0; i < desired.Instances; i++)
            {
                if (!state.Instances.ContainsKey((desired.ProcessGuid, i)) && !retired.Contains(LrpWriter.InstanceEntity(desired.ProcessGuid, i)))
                {
                    yield return $"desired LRP {desired.ProcessGuid} has no instance {i}";
                }
            }
        }

        // A writer abandons a task after any failed write, so the last write it sent bounds how far the task got.
        var lastSent = journal.Entries.Where(e => e.Entity.StartsWith("task/", StringComparison.Ordinal)).ToDictionary(e => e.Entity["task/".Length..], e => e.Op);
        foreach (var task in state.Tasks.Values)
        {
            if (lastSent.TryGetValue(task.TaskGuid, out var op) && (int)task.State > TaskRank(op))
            {
                yield return $"task {task.TaskGuid} is {task.State}, past the last write sent to it ({op})";
            }

            string? problem = task.State switch
            {
                BbsTask.Types.State.Pending when task.CellId.Length > 0 => $"is PENDING on cell {task.CellId}",
                BbsTask.Types.State.Running when task.CellId.Length == 0 => "is RUNNING on no cell",
                BbsTask.Types.State.Completed or BbsTask.Types.State.Resolving when task.FirstCompletedAt == 0 => $"is {task.State} but never completed",
                BbsTask.Types.State.Invalid => "has no state",
                _ => null,
            };
            if (problem is not null)
            {
                yield return $"task {task.TaskGuid} {problem}";
            }
        }
    }

    private static int TaskRank(string op) => op switch
    {
        "DesireTask" => (int)BbsTask.Types.State.Pending,
        "StartTask" => (int)BbsTask.Types.State.Running,
        "CompleteTask" => (int)BbsTask.Types.State.Completed,
        _ => (int)BbsTask.Types.State.Resolving,
    };
}
