using Bbs.Models;
using Bbs.Models.Rules;

namespace Bbs.Db;

/// <summary>
/// The BBS storage port (bbs-protocol.md §4-§5): each operation is one guarded transaction on the
/// key-value store, applying the pure rules in <c>Bbs.Models.Rules</c>. Refusals are
/// <see cref="BbsErrorException"/> with BBS's error; a store outage is a <c>StoreException</c>.
/// </summary>
public interface IDb : IDomainDb, IDesiredLrpDb, IActualLrpDb, IEvacuationDb, ICellDb, ITaskDb, ITaskConvergenceDb, ILrpConvergenceDb;

/// <summary>Cell presences under <c>/v1/cell/&lt;cell_id&gt;</c>, each held by a lease of its TTL.</summary>
public interface ICellDb
{
    Task<IReadOnlyList<CellPresence>> CellsAsync(CancellationToken cancellationToken);

    /// <summary>The cell's presence, or null when it has none (its lease ran out or it never registered).</summary>
    Task<CellPresence?> CellByIdAsync(string cellId, CancellationToken cancellationToken);

    /// <summary>Writes the presence under a fresh lease of <paramref name="ttlSeconds"/> (a heartbeat).</summary>
    Task UpsertCellAsync(CellPresence presence, uint ttlSeconds, CancellationToken cancellationToken);
}

public interface IDomainDb
{
    /// <summary>Domains whose TTL has not run out (only fresh domains are listed).</summary>
    Task<IReadOnlyList<string>> FreshDomainsAsync(CancellationToken cancellationToken);

    /// <summary>Creates or refreshes a domain for <paramref name="ttlSeconds"/> (0: never expires).</summary>
    Task UpsertDomainAsync(string domain, uint ttlSeconds, CancellationToken cancellationToken);
}

/// <summary>Filters of the desired-LRP list routes; empty means "any".</summary>
public sealed record DesiredLrpFilter(string Domain, IReadOnlyCollection<string> ProcessGuids, IReadOnlyCollection<string> AppGuids)
{
    public static DesiredLrpFilter All { get; } = new(string.Empty, [], []);

    public static DesiredLrpFilter From(DesiredLRPsRequest request) =>
        new(request.Domain, [.. request.ProcessGuids], [.. request.AppGuids]);
}

public interface IDesiredLrpDb
{
    Task<IReadOnlyList<DesiredLRP>> DesiredLrpsAsync(DesiredLrpFilter filter, CancellationToken cancellationToken);

    /// <exception cref="BbsErrorException">ResourceNotFound.</exception>
    Task<DesiredLRP> DesiredLrpByProcessGuidAsync(string processGuid, CancellationToken cancellationToken);

    /// <summary>Only the routing fields of each desired LRP (NEW's routing-info list, bbs#66).</summary>
    Task<IReadOnlyList<DesiredLRP>> DesiredLrpRoutingInfosAsync(DesiredLrpFilter filter, CancellationToken cancellationToken);

    /// <summary>
    /// The desired LRPs of <see cref="DesiredLrpsAsync"/> (and <see cref="DesiredLrpRoutingInfosAsync"/>), in the same
    /// order, each as its two stored halves' plain protobuf bytes: a protobuf list response is composed from them
    /// (<see cref="DesiredLrpEncoding"/>) without decoding anything.
    /// </summary>
    Task<IReadOnlyList<DesiredLrpHalves>> DesiredLrpHalvesAsync(DesiredLrpFilter filter, CancellationToken cancellationToken);

    Task<IReadOnlyList<DesiredLRPSchedulingInfo>> SchedulingInfosAsync(DesiredLrpFilter filter, CancellationToken cancellationToken);

    /// <summary>The same scheduling infos as <see cref="SchedulingInfosAsync"/>, as their protobuf bytes, for a list written without decoding.</summary>
    Task<IReadOnlyList<ReadOnlyMemory<byte>>> SchedulingInfoBytesAsync(DesiredLrpFilter filter, CancellationToken cancellationToken);

    /// <exception cref="BbsErrorException">ResourceNotFound.</exception>
    Task<DesiredLRPSchedulingInfo> SchedulingInfoByProcessGuidAsync(string processGuid, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the run info, the scheduling info and an UNCLAIMED actual LRP per index, in one transaction.
    /// Returns the scheduling info and the indices to auction.
    /// </summary>
    /// <exception cref="BbsErrorException">ResourceExists when the process guid is already desired.</exception>
    Task<DesiredLrpChange> DesireLrpAsync(DesiredLRP desiredLrp, CancellationToken cancellationToken);

    /// <summary>
    /// Applies an update to the scheduling info; a scale-up creates the new UNCLAIMED instances and a
    /// scale-down removes the extra ones, in the same transaction.
    /// </summary>
    Task<DesiredLrpChange> UpdateDesiredLrpAsync(string processGuid, DesiredLRPUpdate update, CancellationToken cancellationToken);

    /// <summary>Deletes the desired LRP and all of its instance records in one transaction.</summary>
    /// <exception cref="BbsErrorException">ResourceNotFound.</exception>
    Task<DesiredLrpChange> RemoveDesiredLrpAsync(string processGuid, CancellationToken cancellationToken);
}

/// <summary>
/// What a desired-LRP write did: the scheduling info before and after (null when absent), the instance
/// indices that were created UNCLAIMED (to auction), and the instance records that were removed (so the
/// caller can ask their reps to stop CLAIMED/RUNNING ones).
/// </summary>
public sealed record DesiredLrpChange(
    DesiredLRPSchedulingInfo? Before,
    DesiredLRPSchedulingInfo? After,
    IReadOnlyList<int> CreatedIndices,
    IReadOnlyList<ActualLRP> RemovedInstances);

/// <summary>Filters of the actual-LRP list routes; empty strings and a null index mean "any".</summary>
public sealed record ActualLrpFilter(string Domain = "", string CellId = "", string ProcessGuid = "", int? Index = null);

/// <summary>One instance record's change; <see cref="Before"/> == <see cref="After"/> for a no-op.</summary>
public sealed record ActualLrpChange(ActualLRP? Before, ActualLRP? After, bool AuctionNeeded = false)
{
    public bool Changed => !ReferenceEquals(Before, After);
}

public interface IActualLrpDb
{
    /// <summary>Every record, instance and evacuating, with <c>presence</c> set (the NEW list).</summary>
    Task<IReadOnlyList<ActualLRP>> ActualLrpsAsync(ActualLrpFilter filter, CancellationToken cancellationToken);

    /// <summary>
    /// The same records as <see cref="ActualLrpsAsync"/>, as their protobuf bytes (each exactly what serializing
    /// the decoded record gives): a protobuf list response is written from them without decoding anything.
    /// </summary>
    Task<IReadOnlyList<ReadOnlyMemory<byte>>> ActualLrpBytesAsync(ActualLrpFilter filter, CancellationToken cancellationToken);

    /// <summary>Records grouped per (process guid, index) into instance + evacuating.</summary>
    Task<IReadOnlyList<ActualLRPGroup>> ActualLrpGroupsAsync(ActualLrpFilter filter, CancellationToken cancellationToken);

    /// <exception cref="BbsErrorException">ResourceNotFound when neither slot exists.</exception>
    Task<ActualLRPGroup> ActualLrpGroupAsync(string processGuid, int index, CancellationToken cancellationToken);

    Task<ActualLrpChange> ClaimActualLrpAsync(string processGuid, int index, ActualLRPInstanceKey instanceKey, CancellationToken cancellationToken);

    Task<ActualLrpChange> StartActualLrpAsync(RunningInstance instance, CancellationToken cancellationToken);

    /// <summary>Crashes the instance; <see cref="ActualLrpChange.AuctionNeeded"/> when it restarts at once.</summary>
    Task<ActualLrpChange> CrashActualLrpAsync(ActualLRPKey key, ActualLRPInstanceKey instanceKey, string reason, CancellationToken cancellationToken);

    Task<ActualLrpChange> FailActualLrpAsync(ActualLRPKey key, string placementError, CancellationToken cancellationToken);

    Task<ActualLrpChange> RemoveActualLrpAsync(string processGuid, int index, ActualLRPInstanceKey? instanceKey, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the instance record (whatever its state) and returns it, so the caller can ask the rep of a
    /// CLAIMED/RUNNING one to stop its container. Deleting first makes the removal visible at once.
    /// </summary>
    Task<ActualLrpChange> RetireActualLrpAsync(ActualLRPKey key, CancellationToken cancellationToken);
}

/// <summary>The outcome of an evacuation call: keep_container, and an index to auction when one was unclaimed.</summary>
public sealed record EvacuationOutcome(bool KeepContainer, ActualLRPKey? AuctionKey = null);

public interface IEvacuationDb
{
    Task<EvacuationOutcome> EvacuateClaimedAsync(ActualLRPKey key, ActualLRPInstanceKey instanceKey, CancellationToken cancellationToken);

    /// <param name="ttlSeconds">The evacuating record's lease; 0 means the configured default.</param>
    Task<EvacuationOutcome> EvacuateRunningAsync(RunningInstance instance, ulong ttlSeconds, CancellationToken cancellationToken);

    Task<EvacuationOutcome> EvacuateStoppedAsync(ActualLRPKey key, ActualLRPInstanceKey instanceKey, CancellationToken cancellationToken);

    Task<EvacuationOutcome> EvacuateCrashedAsync(ActualLRPKey key, ActualLRPInstanceKey instanceKey, string reason, CancellationToken cancellationToken);

    Task RemoveEvacuatingAsync(ActualLRPKey key, ActualLRPInstanceKey instanceKey, CancellationToken cancellationToken);
}

/// <summary>Filters of the task list routes; empty means "any".</summary>
public sealed record TaskFilter(string Domain = "", string CellId = "");

/// <summary>One task record's change; <see cref="After"/> is null when the task was deleted.</summary>
public sealed record TaskChange(Bbs.Models.Task? Before, Bbs.Models.Task? After)
{
    /// <summary>False for a no-op (e.g. a repeated start from the same cell).</summary>
    public bool Changed => !ReferenceEquals(Before, After);
}

/// <summary>Tasks under <c>/v1/task/&lt;guid&gt;</c> with NEW's lifecycle (bbs-protocol.md §4.3).</summary>
public interface ITaskDb
{
    Task<IReadOnlyList<Bbs.Models.Task>> TasksAsync(TaskFilter filter, CancellationToken cancellationToken);

    /// <summary>The same tasks as <see cref="TasksAsync"/>, as their protobuf bytes, for a list written without decoding.</summary>
    Task<IReadOnlyList<ReadOnlyMemory<byte>>> TaskBytesAsync(TaskFilter filter, CancellationToken cancellationToken);

    /// <exception cref="BbsErrorException">ResourceNotFound.</exception>
    Task<Bbs.Models.Task> TaskByGuidAsync(string taskGuid, CancellationToken cancellationToken);

    /// <exception cref="BbsErrorException">ResourceExists for a duplicate guid.</exception>
    Task<Bbs.Models.Task> DesireTaskAsync(DesireTaskRequest request, CancellationToken cancellationToken);

    /// <summary>Pending → Running on the cell; <see cref="TaskChange.Changed"/> is should_start.</summary>
    Task<TaskChange> StartTaskAsync(string taskGuid, string cellId, CancellationToken cancellationToken);

    Task<TaskChange> CancelTaskAsync(string taskGuid, CancellationToken cancellationToken);

    Task<TaskChange> FailTaskAsync(string taskGuid, string failureReason, CancellationToken cancellationToken);

    Task<TaskChange> RejectTaskAsync(string taskGuid, string rejectionReason, int maxTaskRetries, CancellationToken cancellationToken);

    Task<TaskChange> CompleteTaskAsync(string taskGuid, string cellId, bool failed, string failureReason, string result, CancellationToken cancellationToken);

    Task<TaskChange> ResolvingTaskAsync(string taskGuid, CancellationToken cancellationToken);

    Task<TaskChange> DeleteTaskAsync(string taskGuid, CancellationToken cancellationToken);
}
