using System.Collections.Frozen;

namespace Bbs.Server.Authorization;

/// <summary>What a route needs.</summary>
public enum Permission
{
    /// <summary>Reads, event streams, ping: every role.</summary>
    Read,

    /// <summary>Desired LRPs, tasks, domains, retire: scheduler and admin.</summary>
    Schedule,

    /// <summary>
    /// Instance and task lifecycle, cell presence: admin for any cell, a cell for its own only (see
    /// <see cref="CellOwnership"/>).
    /// </summary>
    OwnCell,

    /// <summary>Convergence on demand: admin only.</summary>
    Admin,
}

/// <summary>
/// The permission of every /v1 route, by BBS route name, in the order of bbs-protocol.md §1; what each role holds.
/// A route missing here is refused to every role but admin, so a new route cannot be opened by forgetting it.
/// </summary>
public static class RoutePermissions
{
    public static readonly FrozenDictionary<string, Permission> ByRoute = new Dictionary<string, Permission>(StringComparer.Ordinal)
    {
        ["Ping"] = Permission.Read,

        ["Domains"] = Permission.Read,
        ["UpsertDomain"] = Permission.Schedule,

        ["ActualLRPs"] = Permission.Read,
        ["ActualLRPsByProcessGuids"] = Permission.Read,
        ["ActualLRPGroups"] = Permission.Read,
        ["ActualLRPGroupsByProcessGuid"] = Permission.Read,
        ["ActualLRPGroupsByProcessGuidAndIndex"] = Permission.Read,
        ["ClaimActualLRP"] = Permission.OwnCell,
        ["StartActualLRP_r0"] = Permission.OwnCell,
        ["StartActualLRP"] = Permission.OwnCell,
        ["CrashActualLRP"] = Permission.OwnCell,
        ["FailActualLRP"] = Permission.OwnCell,
        ["RemoveActualLRP"] = Permission.OwnCell,
        ["RetireActualLRP"] = Permission.Schedule,

        ["EvacuateClaimedActualLRP"] = Permission.OwnCell,
        ["EvacuateRunningActualLRP_r0"] = Permission.OwnCell,
        ["EvacuateRunningActualLRP"] = Permission.OwnCell,
        ["EvacuateStoppedActualLRP"] = Permission.OwnCell,
        ["EvacuateCrashedActualLRP"] = Permission.OwnCell,
        ["RemoveEvacuatingActualLRP"] = Permission.OwnCell,

        ["DesiredLRPs_r0"] = Permission.Read,
        ["DesiredLRPs_r1"] = Permission.Read,
        ["DesiredLRPs_r2"] = Permission.Read,
        ["DesiredLRPs"] = Permission.Read,
        ["DesiredLRPByProcessGuid_r0"] = Permission.Read,
        ["DesiredLRPByProcessGuid_r1"] = Permission.Read,
        ["DesiredLRPByProcessGuid_r2"] = Permission.Read,
        ["DesiredLRPByProcessGuid"] = Permission.Read,
        ["DesiredLRPSchedulingInfos"] = Permission.Read,
        ["DesiredLRPSchedulingInfoByProcessGuid"] = Permission.Read,
        ["DesiredLRPRoutingInfos"] = Permission.Read,
        ["DesireDesiredLRP_r0"] = Permission.Schedule,
        ["DesireDesiredLRP"] = Permission.Schedule,
        ["UpdateDesireLRP"] = Permission.Schedule,
        ["RemoveDesiredLRP"] = Permission.Schedule,

        ["Tasks_r0"] = Permission.Read,
        ["Tasks_r1"] = Permission.Read,
        ["Tasks_r2"] = Permission.Read,
        ["Tasks"] = Permission.Read,
        ["TaskByGuid_r0"] = Permission.Read,
        ["TaskByGuid_r1"] = Permission.Read,
        ["TaskByGuid_r2"] = Permission.Read,
        ["TaskByGuid"] = Permission.Read,
        ["DesireTask_r0"] = Permission.Schedule,
        ["DesireTask"] = Permission.Schedule,
        ["StartTask"] = Permission.OwnCell,
        ["CancelTask"] = Permission.Schedule,
        ["FailTask"] = Permission.OwnCell,
        ["RejectTask"] = Permission.OwnCell,
        ["CompleteTask"] = Permission.OwnCell,
        ["ResolvingTask"] = Permission.Schedule,
        ["DeleteTask"] = Permission.Schedule,

        ["ConvergeLRPs"] = Permission.Admin,
        ["ConvergeTasks"] = Permission.Admin,

        ["EventStream_r0"] = Permission.Read,
        ["EventStream"] = Permission.Read,
        ["LrpInstanceEventStream_r0"] = Permission.Read,
        ["LRPInstanceEventStream"] = Permission.Read,
        ["TaskEventStream_r0"] = Permission.Read,
        ["TaskEventStream"] = Permission.Read,

        ["Cells"] = Permission.Read,
        ["UpsertCell"] = Permission.OwnCell,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The route's permission; an unknown route needs <see cref="Permission.Admin"/>.</summary>
    public static Permission Of(string route) => ByRoute.GetValueOrDefault(route, Permission.Admin);

    /// <summary>Whether <paramref name="role"/> holds <paramref name="permission"/> (for a cell, still subject to ownership).</summary>
    public static bool Holds(this BbsRole role, Permission permission) => role switch
    {
        BbsRole.Admin => true,
        BbsRole.Scheduler => permission is Permission.Read or Permission.Schedule,
        BbsRole.Cell => permission is Permission.Read or Permission.OwnCell,
        _ => permission is Permission.Read,
    };
}
