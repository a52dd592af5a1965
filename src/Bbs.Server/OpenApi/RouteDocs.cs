using System.Collections.Frozen;

namespace Bbs.Server.OpenApi;

/// <summary>What the OpenAPI document says about one route: its area (tag), summary, description and example.</summary>
/// <param name="ReplacedBy">For a deprecated alias: the name of the route that replaces it.</param>
internal sealed record RouteDoc(string Area, string Summary, string Description, string? Example = null, string? ReplacedBy = null);

/// <summary>
/// The words of the Swagger document, keyed by BBS route name (the <c>.WithName(...)</c> of the route table), so the
/// route table stays one line per route. Errors listed are the in-band ones a route really answers (HTTP 200, in
/// the response's <c>error</c>); those every route may answer are in the document's description.
/// </summary>
internal static class RouteDocs
{
    public const string Domains = "Domains";
    public const string DesiredLrps = "Desired LRPs";
    public const string ActualLrps = "Actual LRPs";
    public const string Evacuation = "Evacuation";
    public const string Tasks = "Tasks";
    public const string Cells = "Cells";
    public const string Events = "Events";
    public const string Convergence = "Convergence";
    public const string Health = "Health";

    /// <summary>The areas in the order the document lists them.</summary>
    public static readonly IReadOnlyList<(string Name, string Description)> Areas =
    [
        (Domains, "Freshness of domains (`cf-apps`, `cf-tasks`): convergence retires extra LRP instances only in a fresh domain."),
        (DesiredLrps, "Long-running processes as Cloud Controller wants them: what to run, how many instances, routes."),
        (ActualLrps, "Running instances of desired LRPs; reps report their lifecycle, the auctioneer their placement failures."),
        (Evacuation, "A draining cell's rep hands its instances over to other cells."),
        (Tasks, "One-off tasks (`cf run-task`, staging): Pending → Running → Completed → Resolving → deleted."),
        (Cells, "Presence of the cells (reps) that run containers."),
        (Events, "Server-sent event streams of desired LRP, actual LRP and task changes."),
        (Convergence, "The etcd-era converger's on-demand passes (the leader also converges periodically)."),
        (Health, "Liveness and readiness."),
    ];

    private const string Sse =
        " The answer is `text/event-stream`: frames `id: <revision>.<position>`, `event: <name>`, `data: <base64 protobuf event>`. " +
        "Reconnect with `Last-Event-ID` to get exactly the events missed; when that point is older than the store's history a `" +
        global::Bbs.Server.Events.EventsApi.ResyncEvent + "` event comes first (re-list, then keep reading). Swagger UI cannot show a stream: use `curl -N`.";

    private const string CellFilter =
        " An optional EventsByCellId body (`{\"cell_id\": \"...\"}`) keeps only the actual LRP events of that cell; a body that does not decode is answered 500 with an empty body.";

    public static readonly FrozenDictionary<string, RouteDoc> ByName = Build();

    public static RouteDoc? For(string? routeName) => routeName is not null && ByName.TryGetValue(routeName, out var doc) ? doc : null;

    private static FrozenDictionary<string, RouteDoc> Build()
    {
        var docs = new Dictionary<string, RouteDoc>(StringComparer.Ordinal)
        {
            ["Ping"] = new(Health, "Is the BBS serving?",
                "Answers `available: true` (the body is ignored). BBS clients (the Go client's Ping) call it to see whether the BBS " +
                "answers. In Diego only the lock holder listens; here every instance serves the API."),
            ["Healthz"] = new(Health, "Liveness probe",
                "Plain text `ok` while the process serves HTTP, any instance, leader or not. Not a BBS route: for orchestrators."),
            ["Readyz"] = new(Health, "Readiness probe",
                "Plain text: `ready` with the store, its revision, the loaded view and the leader, or 503 `not ready: ...` while the " +
                "store view loads or the store does not answer in time. Not a BBS route: for orchestrators."),

            ["Domains"] = new(Domains, "List the fresh domains",
                "The domains whose freshness has not expired (the body is ignored). Called by operators (`cfdot domains`)."),
            ["UpsertDomain"] = new(Domains, "Mark a domain fresh",
                "Marks `domain` fresh for `ttl` seconds (0: forever). Cloud Controller's sync (nsync-bulker in older releases) calls it " +
                "after each full sync of `cf-apps`; operators use `cfdot set-domain`. Errors: InvalidRequest (empty domain).",
                RouteExamples.UpsertDomain),

            ["DesiredLRPs"] = new(DesiredLrps, "List desired LRPs",
                "Desired LRPs, optionally filtered by domain, process guids or app guids. Called by Cloud Controller's sync and " +
                "operators (`cfdot desired-lrps`). Errors: none beyond a body that does not decode.",
                RouteExamples.DesiredLrps),
            ["DesiredLRPByProcessGuid"] = new(DesiredLrps, "Get one desired LRP",
                "The desired LRP with `process_guid`. Called by Cloud Controller and operators (`cfdot desired-lrp`). " +
                "Errors: ResourceNotFound, InvalidRequest (empty process_guid).",
                RouteExamples.ProcessGuidOnly),
            ["DesiredLRPSchedulingInfos"] = new(DesiredLrps, "List desired LRP scheduling infos",
                "The scheduling part of desired LRPs (key, instances, resources, routes, placement tags), without the run info; " +
                "filters as for DesiredLRPs. Called by Cloud Controller's sync and operators " +
                "(`cfdot desired-lrp-scheduling-infos`). Errors: none beyond a body that does not decode.",
                RouteExamples.DesiredLrps),
            ["DesiredLRPSchedulingInfoByProcessGuid"] = new(DesiredLrps, "Get one desired LRP's scheduling info",
                "The scheduling info of the desired LRP with `process_guid`. Errors: ResourceNotFound, InvalidRequest (empty process_guid).",
                RouteExamples.ProcessGuidOnly),
            ["DesiredLRPRoutingInfos"] = new(DesiredLrps, "List desired LRPs' routing fields",
                "Desired LRPs with only their routing fields filled (bbs#66), so route emitters need not fetch whole LRPs; " +
                "filters as for DesiredLRPs. Called by the route emitters. Errors: none beyond a body that does not decode.",
                RouteExamples.DesiredLrpsByGuid),
            ["DesireDesiredLRP"] = new(DesiredLrps, "Desire an LRP",
                "Stores the desired LRP with one UNCLAIMED actual LRP per instance and asks the auctioneer to place them. " +
                "Called by Cloud Controller (nsync in older releases) when an app process starts. " +
                "Errors: ResourceExists (the process guid is already desired), InvalidRequest (`Invalid field: ...`).",
                RouteExamples.DesireLrp),
            ["UpdateDesireLRP"] = new(DesiredLrps, "Update a desired LRP (scale, routes, annotation)",
                "Changes instances, routes, annotation, metric tags or image credentials. A scale-up auctions the new instances; " +
                "a scale-down removes the highest indices and asks their reps to stop them. Called by Cloud Controller on " +
                "`cf scale` and route changes. Errors: ResourceNotFound, InvalidRequest.",
                RouteExamples.UpdateDesiredLrp),
            ["RemoveDesiredLRP"] = new(DesiredLrps, "Remove a desired LRP",
                "Removes the desired LRP and all its actual LRPs at once (bbs#38), then asks the reps to stop the running ones. " +
                "Called by Cloud Controller when an app stops or is deleted. Errors: ResourceNotFound, InvalidRequest (empty process_guid).",
                RouteExamples.ProcessGuidOnly),

            ["ActualLRPs"] = new(ActualLrps, "List actual LRPs",
                "Actual LRPs (instances and evacuating copies), filtered by domain, cell id, process guid and index, all optional. " +
                "Called by the route emitters, Cloud Controller (instance reports), reps at start (their cell) and operators " +
                "(`cfdot actual-lrps`). Errors: none beyond a body that does not decode.",
                RouteExamples.ActualLrps),
            ["ActualLRPsByProcessGuids"] = new(ActualLrps, "List actual LRPs of several process guids",
                "All actual LRPs of the given process guids in one call. Called by Cloud Controller for process stats. " +
                "Errors: InvalidRequest (no process_guids).",
                RouteExamples.ActualLrpsByProcessGuids),
            ["ActualLRPGroups"] = new(ActualLrps, "List actual LRP groups",
                "Actual LRPs paired as groups (instance and evacuating copy), filtered by domain and cell id. The E16 read " +
                "route for route emitters and Cloud Controller. Errors: none beyond a body that does not decode.",
                RouteExamples.ActualLrpGroups, ReplacedBy: "ActualLRPs"),
            ["ActualLRPGroupsByProcessGuid"] = new(ActualLrps, "List actual LRP groups of one process guid",
                "The groups of one process guid. Errors: InvalidRequest (empty process_guid).",
                RouteExamples.ProcessGuidOnly, ReplacedBy: "ActualLRPs"),
            ["ActualLRPGroupsByProcessGuidAndIndex"] = new(ActualLrps, "Get one actual LRP group",
                "The group at `process_guid` and `index`. Errors: ResourceNotFound, InvalidRequest.",
                RouteExamples.ProcessGuidAndIndex, ReplacedBy: "ActualLRPs"),
            ["ClaimActualLRP"] = new(ActualLrps, "Claim an instance for a cell",
                "UNCLAIMED → CLAIMED by the cell of `actual_lrp_instance_key`; claiming again with the same key is a no-op. " +
                "Called by the rep that won the auction, before it creates the container. " +
                "Errors: ResourceNotFound, ActualLRPCannotBeClaimed (another cell holds it, or it runs), InvalidRequest.",
                RouteExamples.ClaimActualLrp),
            ["StartActualLRP"] = new(ActualLrps, "Report an instance running",
                "→ RUNNING with the instance's net info, internal routes, metric tags and routability; creates the record when " +
                "there is none; the same report again is a no-op. Called by the rep when the container is up, and again by its " +
                "periodic sync. Errors: ActualLRPCannotBeStarted (another cell holds it), InvalidRequest.",
                RouteExamples.StartActualLrp),
            ["CrashActualLRP"] = new(ActualLrps, "Report an instance crashed",
                "Counts the crash: the first crashes restart at once (→ UNCLAIMED and a new auction), later ones back off " +
                "(→ CRASHED). Called by the rep when a container exits unexpectedly. " +
                "Errors: ResourceNotFound, ActualLRPCannotBeCrashed (not held by that instance key), InvalidRequest.",
                RouteExamples.CrashActualLrp),
            ["FailActualLRP"] = new(ActualLrps, "Record a placement failure",
                "Stores `error_message` as the placement error of an UNCLAIMED instance. Called by the auctioneer when no cell " +
                "fits. Errors: ResourceNotFound, ActualLRPCannotBeFailed (not UNCLAIMED), InvalidRequest (empty error_message).",
                RouteExamples.FailActualLrp),
            ["RemoveActualLRP"] = new(ActualLrps, "Remove an actual LRP record",
                "Deletes the record at `process_guid` and `index` (held by `actual_lrp_instance_key` when one is given). " +
                "Called by the rep for records it has no container for. Errors: ResourceNotFound (missing, or another instance key), InvalidRequest.",
                RouteExamples.RemoveActualLrp),
            ["RetireActualLRP"] = new(ActualLrps, "Retire an instance",
                "Removes the record at once (watchers see `actual_lrp_removed`, diego-release#820), then asks the rep of a " +
                "CLAIMED or RUNNING instance to stop it. Called by Cloud Controller (`cf restart-app-instance`). " +
                "Errors: ResourceNotFound, InvalidRequest.",
                RouteExamples.LrpKeyOnly),

            ["EvacuateClaimedActualLRP"] = new(Evacuation, "Evacuate a claimed instance",
                "The draining cell gives back an instance it claimed but has not started: → UNCLAIMED and re-auctioned. " +
                "Answers `keep_container: false`. Called by the rep of an evacuating cell. " +
                "Errors: ResourceNotFound (another LRP at that key); InvalidRequest, then with `keep_container: true`.",
                RouteExamples.LrpAndInstanceKeys),
            ["EvacuateRunningActualLRP"] = new(Evacuation, "Evacuate a running instance",
                "Keeps a RUNNING evacuating copy for `ttl` seconds (routes stay up) while the instance is re-auctioned. " +
                "`keep_container` tells the rep whether to keep its container running until the replacement starts. Called by the " +
                "rep of an evacuating cell, repeatedly while it drains. " +
                "Errors: ResourceNotFound (another LRP at that key); InvalidRequest, then with `keep_container: true`.",
                RouteExamples.EvacuateRunning),
            ["EvacuateStoppedActualLRP"] = new(Evacuation, "Evacuate a stopped instance",
                "The draining cell's container stopped: its evacuating copy and the instance it holds are removed. " +
                "Called by the rep of an evacuating cell. Errors: ActualLRPCannotBeRemoved (another cell holds the instance), InvalidRequest.",
                RouteExamples.LrpAndInstanceKeys),
            ["EvacuateCrashedActualLRP"] = new(Evacuation, "Evacuate a crashed instance",
                "The draining cell's container crashed: its evacuating copy is removed and the crash is counted as by " +
                "CrashActualLRP. Called by the rep of an evacuating cell. Errors: ActualLRPCannotBeCrashed, InvalidRequest.",
                RouteExamples.EvacuateCrashed),
            ["RemoveEvacuatingActualLRP"] = new(Evacuation, "Remove an evacuating copy",
                "Deletes the evacuating copy held by `actual_lrp_instance_key`; none at all is a success. Called by the rep " +
                "once the container is gone. Errors: ActualLRPCannotBeRemoved (the copy belongs to another instance), InvalidRequest.",
                RouteExamples.LrpAndInstanceKeys),

            ["Tasks"] = new(Tasks, "List tasks",
                "Tasks, optionally filtered by domain and cell id. Called by Cloud Controller's task sync, reps (their cell) and " +
                "operators (`cfdot tasks`). Errors: none beyond a body that does not decode.",
                RouteExamples.Tasks),
            ["TaskByGuid"] = new(Tasks, "Get one task",
                "The task with `task_guid`. Called by Cloud Controller and operators (`cfdot task`). " +
                "Errors: ResourceNotFound, InvalidRequest (empty task_guid). E15 served it on GET with a protobuf body.",
                RouteExamples.TaskByGuid),
            ["DesireTask"] = new(Tasks, "Desire a task",
                "Stores the task as Pending and asks the auctioneer to place it (an auction failure is only logged). Called by " +
                "Cloud Controller (`cf run-task`, staging), which also sets `completion_callback_url`. " +
                "Errors: ResourceExists (the task guid exists), InvalidRequest (`Invalid field: ...`).",
                RouteExamples.DesireTask),
            ["StartTask"] = new(Tasks, "Start a task on a cell",
                "Pending → Running on `cell_id`; answers `should_start: true` the first time and `false` when it already runs " +
                "there. Called by the rep before it creates the container. " +
                "Errors: ResourceNotFound, InvalidStateTransition (not Pending, or Running on another cell), InvalidRequest.",
                RouteExamples.StartTask),
            ["CancelTask"] = new(Tasks, "Cancel a task",
                "→ Completed, failed, `task was cancelled`; the rep of a Running task is asked to stop it. Called by Cloud " +
                "Controller (`cf terminate-task`). Errors: ResourceNotFound, InvalidStateTransition (already Completed or Resolving), InvalidRequest.",
                RouteExamples.CancelTask),
            ["FailTask"] = new(Tasks, "Fail a task",
                "→ Completed, failed, with `failure_reason`. Called by the auctioneer when no cell fits. " +
                "Errors: ResourceNotFound, InvalidStateTransition, InvalidRequest.",
                RouteExamples.FailTask, ReplacedBy: "CancelTask"),
            ["RejectTask"] = new(Tasks, "Reject a task",
                "The cell gives the task back: Pending again and re-auctioned while retries remain (`max_task_retries`), " +
                "otherwise failed with the reason. Called by the rep when it cannot run an auctioned task. " +
                "Errors: ResourceNotFound, InvalidRequest (also `the request received is invalid` when not Pending or Running).",
                RouteExamples.RejectTask),
            ["CompleteTask"] = new(Tasks, "Complete a task",
                "Running → Completed with `failed`, `failure_reason` and `result`; then the completion callback (if any) is " +
                "posted. Called by the rep when the container exits. " +
                "Errors: ResourceNotFound, RunningOnDifferentCell, InvalidStateTransition (not Running), InvalidRequest.",
                RouteExamples.CompleteTask),
            ["ResolvingTask"] = new(Tasks, "Take a completed task to resolve it",
                "Completed → Resolving, so only one client handles the result. Called by whoever handles completed tasks " +
                "(this BBS itself, for tasks with a completion callback). " +
                "Errors: ResourceNotFound, InvalidStateTransition (not Completed), InvalidRequest.",
                RouteExamples.TaskGuidOnly),
            ["DeleteTask"] = new(Tasks, "Delete a resolved task",
                "Deletes a Resolving task. Called after its result was handled. " +
                "Errors: ResourceNotFound, InvalidStateTransition (`... to Resolving`: not Resolving), InvalidRequest.",
                RouteExamples.TaskGuidOnly),

            ["Cells"] = new(Cells, "List the live cells",
                "The cell presences whose lease has not expired (the body is ignored). Called by the auctioneer (the cells to " +
                "auction on) and operators (`cfdot cells`). Errors: none.",
                null),
            ["UpsertCell"] = new(Cells, "Register or renew a cell's presence",
                "This project's extension: a rep (or something acting for it) keeps its presence alive for `ttl` seconds. " +
                "Errors: InvalidRequest (cell_id, rep_address, capacity or ttl missing).",
                RouteExamples.UpsertCell),

            ["EventStream"] = new(Events, "Stream desired and actual LRP group events",
                "Desired LRP events and actual LRP group events (`actual_lrp_created/changed/removed/crashed`). Used by route " +
                "emitters and tps-watcher (crash reports to Cloud Controller) of older releases." + CellFilter + Sse,
                ReplacedBy: "LRPInstanceEventStream"),
            ["LRPInstanceEventStream"] = new(Events, "Stream desired LRP and instance events",
                "Desired LRP events and actual LRP instance events (`actual_lrp_instance_created/changed/removed`, " +
                "`actual_lrp_crashed`). Used by the route emitters and other watchers of NEW." + CellFilter + Sse),
            ["TaskEventStream"] = new(Events, "Stream task events",
                "`task_created`, `task_changed`, `task_removed`; the body is ignored." + Sse),

            ["ConvergeLRPs"] = new(Convergence, "Run one LRP convergence pass",
                "Repairs actual LRPs against desired ones (missing instances, extra ones in fresh domains, dead cells), as E15/E16's " +
                "converger asked for; concurrent calls share a pass. The body is ignored. Errors: none.",
                null),
            ["ConvergeTasks"] = new(Convergence, "Run one task convergence pass",
                "Kicks, expires and deletes tasks with the given durations (nanoseconds), as E15/E16's converger asked for. " +
                "Errors: InvalidRequest (a body that does not decode).",
                RouteExamples.ConvergeTasks),
        };

        AddAliases(docs, "DesiredLRPs", "DesiredLRPs_r0", "DesiredLRPs_r1", "DesiredLRPs_r2");
        AddAliases(docs, "DesiredLRPByProcessGuid", "DesiredLRPByProcessGuid_r0", "DesiredLRPByProcessGuid_r1", "DesiredLRPByProcessGuid_r2");
        AddAliases(docs, "DesireDesiredLRP", "DesireDesiredLRP_r0");
        AddAliases(docs, "Tasks", "Tasks_r0", "Tasks_r1", "Tasks_r2");
        AddAliases(docs, "TaskByGuid", "TaskByGuid_r0", "TaskByGuid_r1", "TaskByGuid_r2");
        AddAliases(docs, "DesireTask", "DesireTask_r0");
        AddAliases(docs, "StartActualLRP", "StartActualLRP_r0");
        AddAliases(docs, "EvacuateRunningActualLRP", "EvacuateRunningActualLRP_r0");
        AddAliases(docs, "EventStream", "EventStream_r0");
        AddAliases(docs, "LRPInstanceEventStream", "LrpInstanceEventStream_r0");
        AddAliases(docs, "TaskEventStream", "TaskEventStream_r0");
        return docs.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>
    /// Older revisions of a route: same handler, same request and answer (no down-versioning, decisions.md), except
    /// that the r0 start and evacuate_running ignore internal routes and metric tags as NEW does.
    /// </summary>
    private static void AddAliases(Dictionary<string, RouteDoc> docs, string current, params string[] aliases)
    {
        var doc = docs[current];
        var ignores = current is "StartActualLRP" or "EvacuateRunningActualLRP"
            ? " except that `actual_lrp_internal_routes` and `metric_tags` of the request are ignored"
            : string.Empty;
        foreach (var alias in aliases)
        {
            docs[alias] = doc with
            {
                Summary = doc.Summary + " (older revision)",
                Description = $"An older revision of {current}, kept for older BBS clients: the same request and answer{ignores}. " + doc.Description,
                ReplacedBy = doc.ReplacedBy ?? current,
            };
        }
    }
}
