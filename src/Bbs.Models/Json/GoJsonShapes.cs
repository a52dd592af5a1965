namespace Bbs.Models.Json;

/// <summary>
/// Diego's JSON form of every model: the members each Go struct of <c>code.cloudfoundry.org/bbs/models</c> writes
/// with <c>encoding/json</c>, in the struct's order, taken from the structs' JSON tags and custom marshalers
/// (cloudfoundry/bbs at b2385bea, June 2026). A model missing here has no JSON form (a test checks that every
/// message and field of the schema is covered).
/// </summary>
/// <remarks>
/// How each entry reads:
/// <list type="bullet">
/// <item><c>F(n, name)</c>: field n under its Go tag; <c>Omit</c> is Go's <c>omitempty</c>. A message field is a Go
/// pointer: <c>null</c> when unset unless omitted.</item>
/// <item><c>Value(n, name)</c>: a message field that Go holds by value, so always written as an object.</item>
/// <item><c>Embed(n)</c>: a Go embedded struct (gogoproto.embed): its members are written in place, at top level;
/// <c>EmbedPointer(n)</c> is embedded by pointer, so nothing is written when it is unset.</item>
/// <item><c>Oneof(goName, n, inner)</c>: a gogo oneof, which Go writes under the Go field's name as a wrapper object
/// (<c>"OptionalRoutable":{"routable":true}</c>) or <c>null</c>.</item>
/// <item><c>Optional(n, name)</c>: a oneof that the model's own MarshalJSON writes as a plain member, only when set.</item>
/// </list>
/// Fields this server's schema has beyond the current Go models (older eras' fields: <c>Extra(n, name)</c>) are read
/// under their proto names but not written, since Go's form has no such member. Messages of our own (cell upsert,
/// converge requests) are written with every member omitted when empty.
/// </remarks>
internal static partial class GoJsonShapes
{
    private const bool Omit = true;

    /// <summary>Enums with a Go MarshalJSON that writes the value's name; every other enum is written as a number.</summary>
    public static readonly IReadOnlySet<string> NamedEnums = new HashSet<string>(StringComparer.Ordinal)
    {
        "models.ActualLRPNetInfo.PreferredAddress",
        "models.ActualLRP.Presence",
        "models.Error.Type",
        "models.Task.State",
        "models.ImageLayer.DigestAlgorithm",
        "models.ImageLayer.MediaType",
        "models.ImageLayer.Type",
        "models.MetricTagValue.DynamicValue",
    };

    /// <summary>Maps that Go writes as <c>{}</c> when empty (CellPresence's MarshalJSON), by message and field number.</summary>
    public static readonly IReadOnlySet<(string Message, int Number)> EmptyMapsAsObjects = new HashSet<(string, int)>
    {
        ("models.CellPresence", 9),
    };

    public static readonly IReadOnlyDictionary<string, GoMember[]> Members = new Dictionary<string, GoMember[]>(StringComparer.Ordinal)
    {
        ["models.Action"] =
        [
            F(1, "download", Omit), F(2, "upload", Omit), F(3, "run", Omit), F(4, "timeout", Omit),
            F(5, "emit_progress", Omit), F(6, "try", Omit), F(7, "parallel", Omit), F(8, "serial", Omit),
            F(9, "codependent", Omit)
        ],
        ["models.DownloadAction"] =
        [
            F(1, "artifact", Omit), F(2, "from"), F(3, "to"), F(4, "cache_key"), F(5, "log_source", Omit),
            F(6, "user"), F(7, "checksum_algorithm", Omit), F(8, "checksum_value", Omit)
        ],
        ["models.UploadAction"] =
        [
            F(1, "artifact", Omit), F(2, "from"), F(3, "to"), F(4, "log_source", Omit), F(5, "user")
        ],
        ["models.RunAction"] =
        [
            F(1, "path"), F(2, "args", Omit), F(3, "dir", Omit), F(4, "env", Omit), F(5, "resource_limits", Omit),
            F(6, "user"), F(7, "log_source", Omit), F(8, "suppress_log_output"), F(9, "volume_mounted_files")
        ],
        ["models.ResourceLimits"] = [Optional(1, "nofile"), Optional(2, "nproc")],
        ["models.TimeoutAction"] =
        [
            F(1, "action", Omit), F(3, "log_source", Omit), F(4, "timeout_ms"), Extra(2, "timeout")
        ],
        ["models.EmitProgressAction"] =
        [
            F(1, "action", Omit), F(2, "start_message"), F(3, "success_message"), F(4, "failure_message_prefix"),
            F(5, "log_source", Omit)
        ],
        ["models.TryAction"] = [F(1, "action", Omit), F(2, "log_source", Omit)],
        ["models.ParallelAction"] = [F(1, "actions", Omit), F(2, "log_source", Omit)],
        ["models.SerialAction"] = [F(1, "actions", Omit), F(2, "log_source", Omit)],
        ["models.CodependentAction"] = [F(1, "actions", Omit), F(2, "log_source", Omit)],
        ["models.ActualLRPGroup"] = [F(1, "instance", Omit), F(2, "evacuating", Omit)],
        ["models.PortMapping"] =
        [
            F(1, "container_port"), F(2, "host_port"), F(3, "container_tls_proxy_port"), F(4, "host_tls_proxy_port")
        ],
        ["models.ActualLRPKey"] = [F(1, "process_guid"), F(2, "index"), F(3, "domain")],
        ["models.ActualLRPInstanceKey"] = [F(1, "instance_guid"), F(2, "cell_id")],
        ["models.ActualLRPNetInfo"] =
        [
            F(1, "address"), F(2, "ports"), F(3, "instance_address", Omit), F(4, "preferred_address"),
            F(5, "instance_ipv6_address", Omit)
        ],
        ["models.ActualLRPInternalRoute"] = [F(1, "hostname")],
        ["models.ActualLRP"] =
        [
            Embed(1), Embed(2), Embed(3), F(4, "crash_count"), F(5, "crash_reason", Omit), F(6, "state"),
            F(7, "placement_error", Omit), F(8, "since"), Value(9, "modification_tag"), F(10, "presence"),
            F(11, "actual_lrp_internal_routes", Omit), F(12, "metric_tags", Omit),
            Oneof("OptionalRoutable", 13, "routable"), F(14, "availability_zone")
        ],
        ["models.ActualLRPLifecycleResponse"] = [F(1, "error", Omit)],
        ["models.ActualLRPGroupsResponse"] = [F(1, "error", Omit), F(2, "actual_lrp_groups", Omit)],
        ["models.ActualLRPGroupResponse"] = [F(1, "error", Omit), F(2, "actual_lrp_group", Omit)],
        ["models.ActualLRPGroupsRequest"] = [F(1, "domain"), F(2, "cell_id")],
        ["models.ActualLRPGroupsByProcessGuidRequest"] = [F(1, "process_guid")],
        ["models.ActualLRPGroupByProcessGuidAndIndexRequest"] = [F(1, "process_guid"), F(2, "index")],
        ["models.ClaimActualLRPRequest"] =
        [
            F(1, "process_guid"), F(2, "index"), F(3, "actual_lrp_instance_key", Omit)
        ],
        ["models.StartActualLRPRequest"] =
        [
            F(1, "actual_lrp_key", Omit), F(2, "actual_lrp_instance_key", Omit), F(3, "actual_lrp_net_info", Omit),
            F(4, "actual_lrp_internal_routes", Omit), F(5, "metric_tags", Omit),
            Oneof("OptionalRoutable", 6, "Routable", Omit), F(7, "availability_zone")
        ],
        ["models.CrashActualLRPRequest"] =
        [
            F(1, "actual_lrp_key", Omit), F(2, "actual_lrp_instance_key", Omit), F(3, "error_message")
        ],
        ["models.FailActualLRPRequest"] = [F(1, "actual_lrp_key", Omit), F(2, "error_message")],
        ["models.RetireActualLRPRequest"] = [F(1, "actual_lrp_key", Omit)],
        ["models.RemoveActualLRPRequest"] =
        [
            F(1, "process_guid"), F(2, "index"), F(3, "actual_lrp_instance_key", Omit)
        ],
        ["models.ActualLRPsRequest"] = [F(1, "domain"), F(2, "cell_id"), F(3, "process_guid"), Optional(4, "index")],
        ["models.ActualLRPsResponse"] = [F(1, "error", Omit), F(2, "actual_lrps", Omit)],
        ["models.ActualLRPsByProcessGuidsRequest"] = [F(1, "process_guids")],
        ["models.ActualLRPsByProcessGuidsResponse"] = [F(1, "error", Omit), F(2, "actual_lrps", Omit)],
        ["models.CachedDependency"] =
        [
            F(1, "name"), F(2, "from"), F(3, "to"), F(4, "cache_key"), F(5, "log_source"),
            F(6, "checksum_algorithm", Omit), F(7, "checksum_value", Omit)
        ],
        ["models.CellCapacity"] = [F(1, "memory_mb"), F(2, "disk_mb"), F(3, "containers")],
        ["models.Provider"] = [F(1, "name"), F(2, "properties", Omit)],
        ["models.CellPresence"] =
        [
            F(1, "cell_id"), F(2, "rep_address"), F(3, "zone"), F(4, "capacity", Omit),
            F(5, "rootfs_provider_list", Omit), F(6, "placement_tags", Omit), F(7, "optional_placement_tags", Omit),
            F(8, "rep_url"), F(9, "annotations")
        ],
        ["models.CellsResponse"] = [F(1, "error", Omit), F(2, "cells", Omit)],
        ["models.UpsertCellRequest"] = [F(1, "cell_presence", Omit), F(2, "ttl", Omit)],
        ["models.UpsertCellResponse"] = [F(1, "error", Omit)],
        ["models.CertificateProperties"] = [F(1, "organizational_unit", Omit)],
        ["models.CheckDefinition"] = [F(1, "checks", Omit), F(2, "log_source"), F(3, "readiness_checks", Omit)],
        ["models.Check"] = [F(1, "tcp_check", Omit), F(2, "http_check", Omit)],
        ["models.TCPCheck"] = [F(1, "port"), F(2, "connect_timeout_ms", Omit), F(3, "interval_ms", Omit)],
        ["models.HTTPCheck"] =
        [
            F(1, "port"), F(2, "request_timeout_ms", Omit), F(3, "path"), F(4, "interval_ms", Omit)
        ],
        ["models.ProtoRoutes"] = [F(1, "routes", Omit)],
        ["models.DesiredLRPKey"] = [F(1, "process_guid"), F(2, "domain"), F(3, "log_guid")],
        ["models.DesiredLRPResource"] = [F(1, "memory_mb"), F(2, "disk_mb"), F(3, "rootfs"), F(4, "max_pids")],
        ["models.DesiredLRPSchedulingInfo"] =
        [
            Embed(1), F(2, "annotation"), F(3, "instances"), Embed(4), F(5, "routes"), Embed(6),
            F(7, "volume_placement", Omit), F(8, "placement_tags", Omit)
        ],
        ["models.DesiredLRPRunInfo"] =
        [
            Embed(1), F(2, "env"), F(3, "setup", Omit), F(4, "action", Omit), F(5, "monitor", Omit),
            F(7, "privileged"), F(8, "cpu_weight"), F(9, "ports", Omit), F(10, "egress_rules"), F(11, "log_source"),
            F(13, "created_at"), F(14, "cached_dependencies", Omit), F(16, "trusted_system_certificates_path", Omit),
            F(17, "volume_mounts", Omit), F(18, "network", Omit), F(19, "start_timeout_ms"),
            F(20, "certificate_properties", Omit), F(21, "image_username", Omit), F(22, "image_password", Omit),
            F(23, "check_definition", Omit), F(24, "image_layers", Omit), F(26, "sidecars", Omit),
            F(27, "log_rate_limit", Omit), F(28, "volume_mounted_files"), Extra(6, "start_timeout"),
            Extra(12, "metrics_guid"), Extra(15, "legacy_download_user"), Extra(25, "metric_tags"),
            Extra(100, "update_strategy")
        ],
        ["models.DesiredLRPUpdate"] =
        [
            Optional(1, "instances"), F(2, "routes", Omit), Optional(3, "annotation"), F(4, "metric_tags", Omit),
            Optional(5, "image_username"), Optional(6, "image_password")
        ],
        ["models.DesiredLRP"] =
        [
            F(1, "process_guid"), F(2, "domain"), F(3, "rootfs"), F(4, "instances"), F(5, "env"),
            F(6, "setup", Omit), F(7, "action", Omit), F(27, "start_timeout_ms"), F(9, "monitor", Omit),
            F(10, "disk_mb"), F(11, "memory_mb"), F(12, "cpu_weight"), F(13, "privileged"), F(14, "ports", Omit),
            F(15, "routes", Omit), F(16, "log_source"), F(17, "log_guid"), F(19, "annotation"),
            F(20, "egress_rules", Omit), F(21, "modification_tag", Omit), F(22, "cached_dependencies", Omit),
            F(24, "trusted_system_certificates_path", Omit), F(25, "volume_mounts", Omit), F(26, "network", Omit),
            F(28, "placement_tags", Omit), F(29, "max_pids"), F(30, "certificate_properties", Omit),
            F(31, "image_username", Omit), F(32, "image_password", Omit), F(33, "check_definition", Omit),
            F(34, "image_layers", Omit), F(35, "metric_tags", Omit), F(36, "sidecars", Omit),
            F(37, "log_rate_limit", Omit), F(38, "volume_mounted_files"), F(39, "update_strategy"),
            Extra(8, "start_timeout"), Extra(18, "metrics_guid"), Extra(23, "legacy_download_user")
        ],
        ["models.DesiredLRPLifecycleResponse"] = [F(1, "error", Omit)],
        ["models.DesiredLRPsRequest"] = [F(1, "domain"), F(2, "process_guids", Omit), F(3, "app_guids", Omit)],
        ["models.DesiredLRPsResponse"] = [F(1, "error", Omit), F(2, "desired_lrps", Omit)],
        ["models.DesiredLRPByProcessGuidRequest"] = [F(1, "process_guid")],
        ["models.DesiredLRPResponse"] = [F(1, "error", Omit), F(2, "desired_lrp", Omit)],
        ["models.DesiredLRPSchedulingInfosResponse"] =
        [
            F(1, "error", Omit), F(2, "desired_lrp_scheduling_infos", Omit)
        ],
        ["models.DesiredLRPSchedulingInfoByProcessGuidResponse"] =
        [
            F(1, "error", Omit), F(2, "desired_lrp_scheduling_info", Omit)
        ],
        ["models.DesireLRPRequest"] = [F(1, "desired_lrp", Omit)],
        ["models.UpdateDesiredLRPRequest"] = [F(1, "process_guid"), F(2, "update", Omit)],
        ["models.RemoveDesiredLRPRequest"] = [F(1, "process_guid")],
        ["models.DomainsResponse"] = [F(1, "error", Omit), F(2, "domains", Omit)],
        ["models.UpsertDomainRequest"] = [F(1, "domain"), F(2, "ttl")],
        ["models.UpsertDomainResponse"] = [F(1, "error", Omit)],
        ["models.EnvironmentVariable"] = [F(1, "name"), F(2, "value")],
        ["models.Error"] = [F(1, "type"), F(2, "message")],
        ["models.EvacuationResponse"] = [F(1, "error", Omit), F(2, "keep_container")],
        ["models.EvacuateClaimedActualLRPRequest"] =
        [
            F(1, "actual_lrp_key", Omit), F(2, "actual_lrp_instance_key", Omit)
        ],
        ["models.EvacuateRunningActualLRPRequest"] =
        [
            F(1, "actual_lrp_key", Omit), F(2, "actual_lrp_instance_key", Omit), F(3, "actual_lrp_net_info", Omit),
            F(5, "actual_lrp_internal_routes", Omit), F(6, "metric_tags", Omit),
            Oneof("OptionalRoutable", 7, "Routable", Omit), F(8, "availability_zone"), Extra(4, "ttl")
        ],
        ["models.EvacuateStoppedActualLRPRequest"] =
        [
            F(1, "actual_lrp_key", Omit), F(2, "actual_lrp_instance_key", Omit)
        ],
        ["models.EvacuateCrashedActualLRPRequest"] =
        [
            F(1, "actual_lrp_key", Omit), F(2, "actual_lrp_instance_key", Omit), F(3, "error_message")
        ],
        ["models.RemoveEvacuatingActualLRPRequest"] =
        [
            F(1, "actual_lrp_key", Omit), F(2, "actual_lrp_instance_key", Omit)
        ],
        ["models.RemoveEvacuatingActualLRPResponse"] = [F(1, "error", Omit)],
        ["models.ActualLRPCreatedEvent"] = [F(1, "actual_lrp_group", Omit)],
        ["models.ActualLRPChangedEvent"] = [F(1, "before", Omit), F(2, "after", Omit)],
        ["models.ActualLRPRemovedEvent"] = [F(1, "actual_lrp_group", Omit)],
        ["models.ActualLRPInstanceCreatedEvent"] = [F(1, "actual_lrp", Omit), F(2, "trace_id")],
        ["models.ActualLRPInfo"] =
        [
            Embed(3), F(4, "crash_count"), F(5, "crash_reason", Omit), F(6, "state"), F(7, "placement_error", Omit),
            F(8, "since"), Value(9, "modification_tag"), F(10, "presence"),
            Oneof("OptionalRoutable", 11, "Routable", Omit), F(12, "availability_zone")
        ],
        ["models.ActualLRPInstanceChangedEvent"] =
        [
            Embed(1), Embed(2), F(3, "before", Omit), F(4, "after", Omit), F(5, "trace_id")
        ],
        ["models.ActualLRPInstanceRemovedEvent"] = [F(1, "actual_lrp", Omit), F(2, "trace_id")],
        ["models.DesiredLRPCreatedEvent"] = [F(1, "desired_lrp", Omit), F(2, "trace_id")],
        ["models.DesiredLRPChangedEvent"] = [F(1, "before", Omit), F(2, "after", Omit), F(3, "trace_id")],
        ["models.DesiredLRPRemovedEvent"] = [F(1, "desired_lrp", Omit), F(2, "trace_id")],
        ["models.ActualLRPCrashedEvent"] =
        [
            Embed(1), Embed(2), F(3, "crash_count"), F(4, "crash_reason", Omit), F(5, "since")
        ],
        ["models.EventsByCellId"] = [F(1, "cell_id")],
        ["models.TaskCreatedEvent"] = [F(1, "task", Omit)],
        ["models.TaskChangedEvent"] = [F(1, "before", Omit), F(2, "after", Omit)],
        ["models.TaskRemovedEvent"] = [F(1, "task", Omit)],
        ["models.File"] = [F(1, "path"), F(2, "content")],
        ["models.ImageLayer"] =
        [
            F(1, "name", Omit), F(2, "url"), F(3, "destination_path"), F(4, "layer_type"), F(5, "media_type"),
            F(6, "digest_algorithm", Omit), F(7, "digest_value", Omit)
        ],
        ["models.LogRateLimit"] = [F(1, "bytes_per_second", Omit)],
        ["models.ConvergeLRPsResponse"] = [F(1, "error", Omit)],
        ["models.MetricTagValue"] = [F(1, "static", Omit), F(2, "dynamic", Omit)],
        ["models.ModificationTag"] = [F(1, "epoch"), F(2, "index")],
        ["models.Network"] = [F(1, "properties", Omit)],
        ["models.PingResponse"] = [F(1, "available")],
        ["models.PortRange"] = [F(1, "start"), F(2, "end")],
        ["models.ICMPInfo"] = [F(1, "type"), F(2, "code")],
        ["models.SecurityGroupRule"] =
        [
            F(1, "protocol", Omit), F(2, "destinations", Omit), F(3, "ports", Omit), F(4, "port_range", Omit),
            F(5, "icmp_info", Omit), F(6, "log"), F(7, "annotations", Omit)
        ],
        ["models.Sidecar"] = [F(1, "action", Omit), F(2, "disk_mb"), F(3, "memory_mb")],
        ["models.TaskDefinition"] =
        [
            F(1, "rootfs"), F(2, "env", Omit), F(3, "action", Omit), F(4, "disk_mb"), F(5, "memory_mb"),
            F(6, "cpu_weight"), F(7, "privileged"), F(8, "log_source"), F(9, "log_guid"), F(10, "metrics_guid"),
            F(11, "result_file"), F(12, "completion_callback_url", Omit), F(13, "annotation", Omit),
            F(14, "egress_rules", Omit), F(15, "cached_dependencies", Omit),
            F(17, "trusted_system_certificates_path", Omit), F(18, "volume_mounts", Omit), F(19, "network", Omit),
            F(20, "placement_tags", Omit), F(21, "max_pids"), F(22, "certificate_properties", Omit),
            F(23, "image_username"), F(24, "image_password"), F(25, "image_layers", Omit),
            F(26, "log_rate_limit", Omit), F(27, "metric_tags", Omit), F(28, "volume_mounted_files"),
            Extra(16, "legacy_download_user")
        ],
        ["models.Task"] =
        [
            EmbedPointer(1), F(2, "task_guid"), F(3, "domain"), F(4, "created_at"), F(5, "updated_at"),
            F(6, "first_completed_at"), F(7, "state"), F(8, "cell_id"), F(9, "result"), F(10, "failed"),
            F(11, "failure_reason"), F(12, "rejection_count"), F(13, "rejection_reason")
        ],
        ["models.TaskLifecycleResponse"] = [F(1, "error", Omit)],
        ["models.DesireTaskRequest"] = [F(1, "task_definition"), F(2, "task_guid"), F(3, "domain")],
        ["models.StartTaskRequest"] = [F(1, "task_guid"), F(2, "cell_id")],
        ["models.StartTaskResponse"] = [F(1, "error", Omit), F(2, "should_start")],
        ["models.FailTaskRequest"] = [F(1, "task_guid"), F(2, "failure_reason")],
        ["models.RejectTaskRequest"] = [F(1, "task_guid"), F(2, "rejection_reason")],
        ["models.TaskGuidRequest"] = [F(1, "task_guid")],
        ["models.CompleteTaskRequest"] =
        [
            F(1, "task_guid"), F(2, "cell_id"), F(3, "failed"), F(4, "failure_reason"), F(5, "result")
        ],
        ["models.TaskCallbackResponse"] =
        [
            F(1, "task_guid"), F(2, "failed"), F(3, "failure_reason"), F(4, "result"), F(5, "annotation", Omit),
            F(6, "created_at")
        ],
        ["models.TasksRequest"] = [F(1, "domain"), F(2, "cell_id")],
        ["models.TasksResponse"] = [F(1, "error", Omit), F(2, "tasks", Omit)],
        ["models.TaskByGuidRequest"] = [F(1, "task_guid")],
        ["models.TaskResponse"] = [F(1, "error", Omit), F(2, "task", Omit)],
        ["models.ConvergeTasksRequest"] =
        [
            F(1, "kick_task_duration", Omit), F(2, "expire_pending_task_duration", Omit),
            F(3, "expire_completed_task_duration", Omit)
        ],
        ["models.ConvergeTasksResponse"] = [F(1, "error", Omit)],
        ["models.SharedDevice"] = [F(1, "volume_id"), F(2, "mount_config")],
        ["models.DedicatedDevice"] = [F(1, "mounter_id"), F(2, "mount_config"), F(3, "device_config")],
        ["models.VolumeMount"] =
        [
            F(1, "driver"), F(3, "container_dir"), F(6, "mode"), F(7, "shared"), F(8, "dedicated")
        ],
        ["models.VolumePlacement"] = [F(1, "driver_names")],
    };

    private static GoMember F(int number, string name, bool omitEmpty = false) => new(GoMemberKind.Field, number, name, omitEmpty);

    private static GoMember Value(int number, string name) => new(GoMemberKind.Value, number, name, OmitEmpty: false);

    private static GoMember Embed(int number) => new(GoMemberKind.Embed, number, string.Empty, OmitEmpty: false);

    private static GoMember EmbedPointer(int number) => new(GoMemberKind.EmbedPointer, number, string.Empty, OmitEmpty: true);

    private static GoMember Oneof(string goName, int number, string inner, bool innerOmitEmpty = false) =>
        new(GoMemberKind.Oneof, number, goName, OmitEmpty: false, inner, innerOmitEmpty);

    private static GoMember Optional(int number, string name) => new(GoMemberKind.Optional, number, name, OmitEmpty: true);

    private static GoMember Extra(int number, string name) => new(GoMemberKind.Extra, number, name, OmitEmpty: true);
}

internal enum GoMemberKind
{
    Field,
    Value,
    Embed,
    EmbedPointer,
    Oneof,
    Optional,

    /// <summary>An older era's field that the current Go model does not have: read, never written.</summary>
    Extra,
}

/// <summary>One member of a Go struct's JSON form; see <see cref="GoJsonShapes"/>.</summary>
internal sealed record GoMember(GoMemberKind Kind, int Number, string Name, bool OmitEmpty, string? Inner = null, bool InnerOmitEmpty = false);
