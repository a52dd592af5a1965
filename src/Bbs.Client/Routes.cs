namespace Bbs.Client;

/// <summary>One BBS route as rata declares it: path, HTTP method and route name.</summary>
public sealed record BbsRoute(string Path, string Method, string Name);

/// <summary>
/// BBS's route table (bbs-protocol.md §1), to hold against BBS's <c>routes.go</c> line by line: every route this
/// project serves (E15, E16 and NEW together, decisions.md) plus our extension <c>/v1/cells/upsert</c>.
/// Names are NEW's rata names; an older revision of a path is named with NEW's <c>_rN</c> suffix, so the E16
/// names of the unrevisioned getters (<c>DesiredLRPs</c>, <c>Tasks</c>, <c>TaskByGuid</c>) appear here as <c>_r0</c>.
/// The method is BBS's own; the server also accepts POST on the GET routes.
/// </summary>
public static class Routes
{
    private const string Get = "GET";
    private const string Post = "POST";

    // Ping
    public static readonly BbsRoute Ping = new("/v1/ping", Post, "Ping");

    // Domains
    public static readonly BbsRoute Domains = new("/v1/domains/list", Post, "Domains");
    public static readonly BbsRoute UpsertDomain = new("/v1/domains/upsert", Post, "UpsertDomain");

    // Actual LRPs
    public static readonly BbsRoute ActualLrps = new("/v1/actual_lrps/list", Post, "ActualLRPs");
    public static readonly BbsRoute ActualLrpsByProcessGuids = new("/v1/actual_lrps/list_by_process_guids", Post, "ActualLRPsByProcessGuids");
    public static readonly BbsRoute ActualLrpGroups = new("/v1/actual_lrp_groups/list", Post, "ActualLRPGroups"); // deprecated
    public static readonly BbsRoute ActualLrpGroupsByProcessGuid = new("/v1/actual_lrp_groups/list_by_process_guid", Post, "ActualLRPGroupsByProcessGuid"); // deprecated
    public static readonly BbsRoute ActualLrpGroupByProcessGuidAndIndex = new("/v1/actual_lrp_groups/get_by_process_guid_and_index", Post, "ActualLRPGroupsByProcessGuidAndIndex"); // deprecated

    // Actual LRP lifecycle
    public static readonly BbsRoute ClaimActualLrp = new("/v1/actual_lrps/claim", Post, "ClaimActualLRP");
    public static readonly BbsRoute StartActualLrp = new("/v1/actual_lrps/start.r1", Post, "StartActualLRP");
    public static readonly BbsRoute StartActualLrpR0 = new("/v1/actual_lrps/start", Post, "StartActualLRP_r0"); // deprecated
    public static readonly BbsRoute CrashActualLrp = new("/v1/actual_lrps/crash", Post, "CrashActualLRP");
    public static readonly BbsRoute FailActualLrp = new("/v1/actual_lrps/fail", Post, "FailActualLRP");
    public static readonly BbsRoute RemoveActualLrp = new("/v1/actual_lrps/remove", Post, "RemoveActualLRP");
    public static readonly BbsRoute RetireActualLrp = new("/v1/actual_lrps/retire", Post, "RetireActualLRP");

    // Evacuation
    public static readonly BbsRoute RemoveEvacuatingActualLrp = new("/v1/actual_lrps/remove_evacuating", Post, "RemoveEvacuatingActualLRP");
    public static readonly BbsRoute EvacuateClaimedActualLrp = new("/v1/actual_lrps/evacuate_claimed", Post, "EvacuateClaimedActualLRP");
    public static readonly BbsRoute EvacuateCrashedActualLrp = new("/v1/actual_lrps/evacuate_crashed", Post, "EvacuateCrashedActualLRP");
    public static readonly BbsRoute EvacuateStoppedActualLrp = new("/v1/actual_lrps/evacuate_stopped", Post, "EvacuateStoppedActualLRP");
    public static readonly BbsRoute EvacuateRunningActualLrp = new("/v1/actual_lrps/evacuate_running.r1", Post, "EvacuateRunningActualLRP");
    public static readonly BbsRoute EvacuateRunningActualLrpR0 = new("/v1/actual_lrps/evacuate_running", Post, "EvacuateRunningActualLRP_r0"); // deprecated

    // Desired LRPs
    public static readonly BbsRoute DesiredLrps = new("/v1/desired_lrps/list.r3", Post, "DesiredLRPs");
    public static readonly BbsRoute DesiredLrpsR2 = new("/v1/desired_lrps/list.r2", Post, "DesiredLRPs_r2"); // deprecated
    public static readonly BbsRoute DesiredLrpsR1 = new("/v1/desired_lrps/list.r1", Post, "DesiredLRPs_r1"); // E16
    public static readonly BbsRoute DesiredLrpsR0 = new("/v1/desired_lrps/list", Post, "DesiredLRPs_r0"); // E15
    public static readonly BbsRoute DesiredLrpByProcessGuid = new("/v1/desired_lrps/get_by_process_guid.r3", Post, "DesiredLRPByProcessGuid");
    public static readonly BbsRoute DesiredLrpByProcessGuidR2 = new("/v1/desired_lrps/get_by_process_guid.r2", Post, "DesiredLRPByProcessGuid_r2"); // deprecated
    public static readonly BbsRoute DesiredLrpByProcessGuidR1 = new("/v1/desired_lrps/get_by_process_guid.r1", Post, "DesiredLRPByProcessGuid_r1"); // E16
    public static readonly BbsRoute DesiredLrpByProcessGuidR0 = new("/v1/desired_lrps/get_by_process_guid", Post, "DesiredLRPByProcessGuid_r0"); // E15
    public static readonly BbsRoute DesiredLrpSchedulingInfos = new("/v1/desired_lrp_scheduling_infos/list", Post, "DesiredLRPSchedulingInfos");
    public static readonly BbsRoute DesiredLrpSchedulingInfoByProcessGuid = new("/v1/desired_lrp_scheduling_infos/get_by_process_guid", Post, "DesiredLRPSchedulingInfoByProcessGuid");
    public static readonly BbsRoute DesiredLrpRoutingInfos = new("/v1/desired_lrp_routing_infos/list", Post, "DesiredLRPRoutingInfos");

    // Desired LRP lifecycle
    public static readonly BbsRoute DesireDesiredLrp = new("/v1/desired_lrp/desire.r2", Post, "DesireDesiredLRP");
    public static readonly BbsRoute DesireDesiredLrpR0 = new("/v1/desired_lrp/desire", Post, "DesireDesiredLRP_r0"); // E15
    public static readonly BbsRoute UpdateDesiredLrp = new("/v1/desired_lrp/update", Post, "UpdateDesireLRP"); // sic
    public static readonly BbsRoute RemoveDesiredLrp = new("/v1/desired_lrp/remove", Post, "RemoveDesiredLRP");

    // LRP convergence (E15/E16)
    public static readonly BbsRoute ConvergeLrps = new("/v1/lrps/converge", Post, "ConvergeLRPs");

    // Tasks
    public static readonly BbsRoute Tasks = new("/v1/tasks/list.r3", Post, "Tasks");
    public static readonly BbsRoute TasksR2 = new("/v1/tasks/list.r2", Post, "Tasks_r2"); // deprecated
    public static readonly BbsRoute TasksR1 = new("/v1/tasks/list.r1", Post, "Tasks_r1"); // E16
    public static readonly BbsRoute TasksR0 = new("/v1/tasks/list", Post, "Tasks_r0"); // E15
    public static readonly BbsRoute TaskByGuid = new("/v1/tasks/get_by_task_guid.r3", Post, "TaskByGuid");
    public static readonly BbsRoute TaskByGuidR2 = new("/v1/tasks/get_by_task_guid.r2", Post, "TaskByGuid_r2"); // deprecated
    public static readonly BbsRoute TaskByGuidR1 = new("/v1/tasks/get_by_task_guid.r1", Post, "TaskByGuid_r1"); // E16
    public static readonly BbsRoute TaskByGuidR0 = new("/v1/tasks/get_by_task_guid", Get, "TaskByGuid_r0"); // E15, GET with a body

    // Task lifecycle
    public static readonly BbsRoute DesireTask = new("/v1/tasks/desire.r2", Post, "DesireTask");
    public static readonly BbsRoute DesireTaskR0 = new("/v1/tasks/desire", Post, "DesireTask_r0"); // E15
    public static readonly BbsRoute StartTask = new("/v1/tasks/start", Post, "StartTask");
    public static readonly BbsRoute CancelTask = new("/v1/tasks/cancel", Post, "CancelTask");
    public static readonly BbsRoute FailTask = new("/v1/tasks/fail", Post, "FailTask"); // deprecated: use cancel
    public static readonly BbsRoute RejectTask = new("/v1/tasks/reject", Post, "RejectTask");
    public static readonly BbsRoute CompleteTask = new("/v1/tasks/complete", Post, "CompleteTask");
    public static readonly BbsRoute ResolvingTask = new("/v1/tasks/resolving", Post, "ResolvingTask");
    public static readonly BbsRoute DeleteTask = new("/v1/tasks/delete", Post, "DeleteTask");

    // Task convergence (E15/E16)
    public static readonly BbsRoute ConvergeTasks = new("/v1/tasks/converge", Post, "ConvergeTasks");

    // Event streaming
    public static readonly BbsRoute EventStream = new("/v1/events.r1", Get, "EventStream"); // deprecated
    public static readonly BbsRoute EventStreamR0 = new("/v1/events", Get, "EventStream_r0"); // deprecated
    public static readonly BbsRoute TaskEventStream = new("/v1/events/tasks.r1", Post, "TaskEventStream");
    public static readonly BbsRoute TaskEventStreamR0 = new("/v1/events/tasks", Post, "TaskEventStream_r0"); // deprecated
    public static readonly BbsRoute LrpInstanceEventStream = new("/v1/events/lrp_instances.r1", Post, "LRPInstanceEventStream");
    public static readonly BbsRoute LrpInstanceEventStreamR0 = new("/v1/events/lrp_instances", Post, "LrpInstanceEventStream_r0"); // deprecated

    // Cells
    public static readonly BbsRoute Cells = new("/v1/cells/list.r1", Post, "Cells");
    public static readonly BbsRoute UpsertCell = new("/v1/cells/upsert", Post, "UpsertCell"); // our extension

    /// <summary>The whole table, in the order above.</summary>
    public static IReadOnlyList<BbsRoute> All { get; } =
    [
        Ping,
        Domains, UpsertDomain,
        ActualLrps, ActualLrpsByProcessGuids, ActualLrpGroups, ActualLrpGroupsByProcessGuid, ActualLrpGroupByProcessGuidAndIndex,
        ClaimActualLrp, StartActualLrp, StartActualLrpR0, CrashActualLrp, FailActualLrp, RemoveActualLrp, RetireActualLrp,
        RemoveEvacuatingActualLrp, EvacuateClaimedActualLrp, EvacuateCrashedActualLrp, EvacuateStoppedActualLrp,
        EvacuateRunningActualLrp, EvacuateRunningActualLrpR0,
        DesiredLrps, DesiredLrpsR2, DesiredLrpsR1, DesiredLrpsR0,
        DesiredLrpByProcessGuid, DesiredLrpByProcessGuidR2, DesiredLrpByProcessGuidR1, DesiredLrpByProcessGuidR0,
        DesiredLrpSchedulingInfos, DesiredLrpSchedulingInfoByProcessGuid, DesiredLrpRoutingInfos,
        DesireDesiredLrp, DesireDesiredLrpR0, UpdateDesiredLrp, RemoveDesiredLrp,
        ConvergeLrps,
        Tasks, TasksR2, TasksR1, TasksR0, TaskByGuid, TaskByGuidR2, TaskByGuidR1, TaskByGuidR0,
        DesireTask, DesireTaskR0, StartTask, CancelTask, FailTask, RejectTask, CompleteTask, ResolvingTask, DeleteTask,
        ConvergeTasks,
        EventStream, EventStreamR0, TaskEventStream, TaskEventStreamR0, LrpInstanceEventStream, LrpInstanceEventStreamR0,
        Cells, UpsertCell,
    ];
}
