using Bbs.Db;
using Bbs.Models;
using Google.Protobuf;

namespace Bbs.Server.Authorization;

/// <summary>
/// The <see cref="Permission.OwnCell"/> rule for the <c>cell</c> role: the request may only touch the caller's own cell.
/// <list type="bullet">
/// <item>LRP lifecycle and evacuation: the request's instance key names the caller's cell. FailActualLRP carries no
/// instance key (the auctioneer calls it for an instance it could not place), so a cell may not call it.</item>
/// <item>Tasks: the task is assigned to the caller's cell (read from the store view); start and complete must also
/// name the caller's cell. A Pending task is assigned to no cell yet, so a cell may start it for itself only.</item>
/// <item>Cell presence: the presence's cell id is the caller's.</item>
/// </list>
/// The check reads the latest state before the write: a task that changes cell in between is still caught by the
/// lifecycle rules (complete refuses a task running on another cell), and a missing task is answered in-band
/// ResourceNotFound, as without authorization (cells may read every task anyway).
/// </summary>
internal static class CellOwnership
{
    /// <returns>Why the call is refused, or null when it touches only <paramref name="cellId"/>.</returns>
    public static async ValueTask<string?> RefusalAsync(IMessage? body, string? cellId, IDb db, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(cellId))
        {
            return "the client certificate names no cell (a CN or a SAN URI bbs-cell:<cell_id>)";
        }

        return body switch
        {
            ClaimActualLRPRequest r => Instance(r.ActualLrpInstanceKey, cellId),
            StartActualLRPRequest r => Instance(r.ActualLrpInstanceKey, cellId),
            CrashActualLRPRequest r => Instance(r.ActualLrpInstanceKey, cellId),
            RemoveActualLRPRequest r => Instance(r.ActualLrpInstanceKey, cellId),
            EvacuateClaimedActualLRPRequest r => Instance(r.ActualLrpInstanceKey, cellId),
            EvacuateRunningActualLRPRequest r => Instance(r.ActualLrpInstanceKey, cellId),
            EvacuateStoppedActualLRPRequest r => Instance(r.ActualLrpInstanceKey, cellId),
            EvacuateCrashedActualLRPRequest r => Instance(r.ActualLrpInstanceKey, cellId),
            RemoveEvacuatingActualLRPRequest r => Instance(r.ActualLrpInstanceKey, cellId),
            UpsertCellRequest r => Named("the cell presence", r.CellPresence?.CellId, cellId),
            StartTaskRequest r => Named("the start", r.CellId, cellId) ?? await TaskAsync(r.TaskGuid, cellId, pendingAllowed: true, db, cancellationToken).ConfigureAwait(false),
            CompleteTaskRequest r => Named("the completion", r.CellId, cellId) ?? await TaskAsync(r.TaskGuid, cellId, pendingAllowed: false, db, cancellationToken).ConfigureAwait(false),
            FailTaskRequest r => await TaskAsync(r.TaskGuid, cellId, pendingAllowed: false, db, cancellationToken).ConfigureAwait(false),
            RejectTaskRequest r => await TaskAsync(r.TaskGuid, cellId, pendingAllowed: false, db, cancellationToken).ConfigureAwait(false),
            _ => $"a cell may not call this route: its request names no instance key or cell that could be {cellId}'s",
        };
    }

    private static string? Instance(ActualLRPInstanceKey? key, string cellId) =>
        key is null ? $"the request has no instance key, so it cannot be shown to be cell {cellId}'s" : Named("the instance key", key.CellId, cellId);

    private static string? Named(string what, string? named, string cellId) =>
        string.Equals(named, cellId, StringComparison.Ordinal) ? null : $"{what} names cell '{named}', not the caller's cell '{cellId}'";

    private static async ValueTask<string?> TaskAsync(string taskGuid, string cellId, bool pendingAllowed, IDb db, CancellationToken cancellationToken)
    {
        var task = await db.TaskByGuidAsync(taskGuid, cancellationToken).ConfigureAwait(false);
        if (string.Equals(task.CellId, cellId, StringComparison.Ordinal) || (pendingAllowed && task.State == Bbs.Models.Task.Types.State.Pending))
        {
            return null;
        }

        return string.IsNullOrEmpty(task.CellId)
            ? $"task {taskGuid} is assigned to no cell, not to the caller's cell '{cellId}'"
            : $"task {taskGuid} is assigned to cell '{task.CellId}', not to the caller's cell '{cellId}'";
    }
}
