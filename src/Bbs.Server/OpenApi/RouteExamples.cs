namespace Bbs.Server.OpenApi;

/// <summary>
/// JSON request bodies for Swagger UI's "Try it out", one story: Cloud Controller desires an app process with two
/// instances, a rep claims and starts instance 0, and so on. Every example decodes and validates as the route's
/// request message (the Swagger tests post each one to a live server), so the only errors they can meet are
/// state errors such as ResourceNotFound.
/// </summary>
internal static class RouteExamples
{
    // A Cloud Controller process guid is "<app guid>-<version guid>".
    private const string AppGuid = "9f3a1c2e-5b7d-4e8f-a1b2-c3d4e5f60718";
    private const string ProcessGuid = AppGuid + "-0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";
    private const string CellId = "diego-cell-0f4c6a2e";
    private const string InstanceGuid = "4b2e8f1a-6c3d-4e5f-7a8b-9c0d";
    private const string TaskGuid = "c6e2d1f0-7a3b-4c5d-8e9f-0a1b2c3d4e5f";

    /// <summary>Cancel, fail and reject end a task another way than complete does, so they name a second task.</summary>
    private const string OtherTaskGuid = "d7f3e2a1-8b4c-4d6e-9fa0-1b2c3d4e5f60";

    private const string LrpKey = $$"""{ "process_guid": "{{ProcessGuid}}", "index": 0, "domain": "cf-apps" }""";
    private const string InstanceKey = $$"""{ "instance_guid": "{{InstanceGuid}}", "cell_id": "{{CellId}}" }""";
    private const string NetInfo = """{ "address": "10.0.16.4", "ports": [{ "container_port": 8080, "host_port": 61001 }], "instance_address": "10.255.12.7" }""";

    public const string UpsertDomain = """{ "domain": "cf-apps", "ttl": 120 }""";

    public const string DesiredLrps = """{ "domain": "cf-apps" }""";

    public const string DesiredLrpsByGuid = $$"""{ "process_guids": ["{{ProcessGuid}}"] }""";

    public const string ProcessGuidOnly = $$"""{ "process_guid": "{{ProcessGuid}}" }""";

    /// <summary>Diego's JSON form, as cfdot prints it: each router's routes are its own JSON, 64-bit numbers are numbers.</summary>
    public const string DesireLrp = $$"""
        {
          "desired_lrp": {
            "process_guid": "{{ProcessGuid}}",
            "domain": "cf-apps",
            "rootfs": "preloaded:cflinuxfs4",
            "instances": 2,
            "env": [{ "name": "PORT", "value": "8080" }],
            "action": {
              "run": {
                "path": "/tmp/lifecycle/launcher",
                "args": ["app", "bundle exec rackup config.ru -p $PORT", ""],
                "user": "vcap",
                "log_source": "APP/PROC/WEB"
              }
            },
            "monitor": {
              "run": { "path": "/tmp/lifecycle/healthcheck", "args": ["-port=8080"], "user": "vcap", "log_source": "HEALTH" }
            },
            "start_timeout_ms": 60000,
            "disk_mb": 1024,
            "memory_mb": 256,
            "cpu_weight": 1,
            "ports": [8080],
            "routes": { "cf-router": [{ "hostnames": ["my-app.example.com"], "port": 8080 }] },
            "log_guid": "{{AppGuid}}",
            "log_source": "CELL",
            "annotation": "my-app web process",
            "metric_tags": { "source_id": { "static": "{{AppGuid}}" }, "instance_index": { "dynamic": "INDEX" } }
          }
        }
        """;

    public const string UpdateDesiredLrp = $$"""{ "process_guid": "{{ProcessGuid}}", "update": { "instances": 3, "annotation": "scaled to 3" } }""";

    public const string ActualLrps = $$"""{ "domain": "cf-apps", "process_guid": "{{ProcessGuid}}" }""";

    public const string ActualLrpsByProcessGuids = $$"""{ "process_guids": ["{{ProcessGuid}}"] }""";

    public const string ActualLrpGroups = """{ "domain": "cf-apps" }""";

    public const string ProcessGuidAndIndex = $$"""{ "process_guid": "{{ProcessGuid}}", "index": 0 }""";

    public const string ClaimActualLrp = $$"""{ "process_guid": "{{ProcessGuid}}", "index": 0, "actual_lrp_instance_key": {{InstanceKey}} }""";

    public const string StartActualLrp = $$"""
        {
          "actual_lrp_key": {{LrpKey}},
          "actual_lrp_instance_key": {{InstanceKey}},
          "actual_lrp_net_info": {{NetInfo}},
          "actual_lrp_internal_routes": [{ "hostname": "my-app.apps.internal" }],
          "metric_tags": { "source_id": "{{AppGuid}}", "instance_index": "0" },
          "OptionalRoutable": { "Routable": true },
          "availability_zone": "z1"
        }
        """;

    public const string CrashActualLrp = $$"""{ "actual_lrp_key": {{LrpKey}}, "actual_lrp_instance_key": {{InstanceKey}}, "error_message": "APP/PROC/WEB: Exited with status 137 (out of memory)" }""";

    public const string FailActualLrp = $$"""{ "actual_lrp_key": {{LrpKey}}, "error_message": "found no compatible cell" }""";

    public const string RemoveActualLrp = $$"""{ "process_guid": "{{ProcessGuid}}", "index": 0, "actual_lrp_instance_key": {{InstanceKey}} }""";

    public const string LrpKeyOnly = $$"""{ "actual_lrp_key": {{LrpKey}} }""";

    public const string LrpAndInstanceKeys = $$"""{ "actual_lrp_key": {{LrpKey}}, "actual_lrp_instance_key": {{InstanceKey}} }""";

    public const string EvacuateRunning = $$"""
        {
          "actual_lrp_key": {{LrpKey}},
          "actual_lrp_instance_key": {{InstanceKey}},
          "actual_lrp_net_info": {{NetInfo}},
          "ttl": 600,
          "actual_lrp_internal_routes": [{ "hostname": "my-app.apps.internal" }],
          "metric_tags": { "source_id": "{{AppGuid}}", "instance_index": "0" },
          "OptionalRoutable": { "Routable": true },
          "availability_zone": "z1"
        }
        """;

    public const string EvacuateCrashed = $$"""{ "actual_lrp_key": {{LrpKey}}, "actual_lrp_instance_key": {{InstanceKey}}, "error_message": "APP/PROC/WEB: Exited with status 1" }""";

    public const string Tasks = """{ "domain": "cf-tasks" }""";

    public const string TaskByGuid = $$"""{ "task_guid": "{{TaskGuid}}" }""";

    public const string DesireTask = $$"""
        {
          "task_guid": "{{TaskGuid}}",
          "domain": "cf-tasks",
          "task_definition": {
            "rootfs": "preloaded:cflinuxfs4",
            "env": [{ "name": "RAILS_ENV", "value": "production" }],
            "action": {
              "run": {
                "path": "/tmp/lifecycle/launcher",
                "args": ["app", "bin/rails db:migrate", ""],
                "user": "vcap",
                "log_source": "APP/TASK/migrate"
              }
            },
            "disk_mb": 1024,
            "memory_mb": 512,
            "cpu_weight": 1,
            "log_guid": "{{AppGuid}}",
            "log_source": "APP/TASK/migrate",
            "metrics_guid": "{{AppGuid}}",
            "annotation": "migrate"
          }
        }
        """;

    public const string StartTask = $$"""{ "task_guid": "{{TaskGuid}}", "cell_id": "{{CellId}}" }""";

    public const string CancelTask = $$"""{ "task_guid": "{{OtherTaskGuid}}" }""";

    public const string FailTask = $$"""{ "task_guid": "{{OtherTaskGuid}}", "failure_reason": "insufficient resources: memory" }""";

    public const string RejectTask = $$"""{ "task_guid": "{{OtherTaskGuid}}", "rejection_reason": "not enough resources to start the container" }""";

    public const string CompleteTask = $$"""{ "task_guid": "{{TaskGuid}}", "cell_id": "{{CellId}}", "failed": false, "failure_reason": "", "result": "" }""";

    public const string TaskGuidOnly = $$"""{ "task_guid": "{{TaskGuid}}" }""";

    public const string UpsertCell = $$"""
        {
          "cell_presence": {
            "cell_id": "{{CellId}}",
            "rep_address": "http://10.0.16.4:1800",
            "rep_url": "https://{{CellId}}.cell.service.cf.internal:1801",
            "zone": "z1",
            "capacity": { "memory_mb": 16384, "disk_mb": 65536, "containers": 250 },
            "rootfs_provider_list": [{ "name": "preloaded", "properties": ["cflinuxfs4"] }]
          },
          "ttl": 30
        }
        """;

    /// <summary>E16's converger defaults: kick every 30 s, expire pending after 30 min, completed after 2 min (ns).</summary>
    public const string ConvergeTasks = """{ "kick_task_duration": 30000000000, "expire_pending_task_duration": 1800000000000, "expire_completed_task_duration": 120000000000 }""";
}
