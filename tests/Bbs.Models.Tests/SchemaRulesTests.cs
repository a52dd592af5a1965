using System.Reflection;
using Google.Protobuf.Reflection;

namespace Bbs.Models.Tests;

// Rules every message must keep as the schemas grow.
public sealed class SchemaRulesTests
{
    // Fields whose BBS JSON tag is not their proto name.
    private static readonly Dictionary<string, string> JsonTagExceptions = new()
    {
        ["models.DesiredLRP.root_fs"] = "rootfs",
        ["models.DesiredLRPResource.root_fs"] = "rootfs",
        ["models.TaskDefinition.root_fs"] = "rootfs",
        ["models.DesiredLRP.environment_variables"] = "env",
        ["models.DesiredLRPRunInfo.environment_variables"] = "env",
        ["models.TaskDefinition.environment_variables"] = "env",
        ["models.DesiredLRP.PlacementTags"] = "placement_tags",
        ["models.DesiredLRPSchedulingInfo.PlacementTags"] = "placement_tags",
        ["models.StartActualLRPRequest.Routable"] = "routable",
        ["models.EvacuateRunningActualLRPRequest.Routable"] = "routable",
        ["models.ActualLRPInfo.Routable"] = "routable",
        ["models.Action.download_action"] = "download",
        ["models.Action.upload_action"] = "upload",
        ["models.Action.run_action"] = "run",
        ["models.Action.timeout_action"] = "timeout",
        ["models.Action.emit_progress_action"] = "emit_progress",
        ["models.Action.try_action"] = "try",
        ["models.Action.parallel_action"] = "parallel",
        ["models.Action.serial_action"] = "serial",
        ["models.Action.codependent_action"] = "codependent",
    };

    private static IEnumerable<MessageDescriptor> AllMessages() =>
        typeof(Error).Assembly.GetTypes()
            .Select(t => t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static))
            .Select(p => p?.GetValue(null))
            .OfType<MessageDescriptor>();

    [Fact]
    public void EveryFieldIsNamedByItsBbsJsonTag()
    {
        var wrong = AllMessages()
            .SelectMany(m => m.Fields.InFieldNumberOrder())
            .Where(f => f.JsonName != JsonTagExceptions.GetValueOrDefault(f.FullName, f.Name))
            .Select(f => $"{f.FullName} -> {f.JsonName}")
            .ToList();

        Assert.Empty(wrong);
    }

    [Fact]
    public void EveryRepeatedPortsFieldIsUnpacked()
    {
        var ports = AllMessages()
            .SelectMany(m => m.Fields.InFieldNumberOrder())
            .Where(f => f.Name == "ports" && f.FieldType == FieldType.UInt32)
            .ToList();

        Assert.Equal(
            ["models.DesiredLRP.ports", "models.DesiredLRPRunInfo.ports", "models.SecurityGroupRule.ports"],
            ports.Select(f => f.FullName).Order(StringComparer.Ordinal));
        Assert.All(ports, f => Assert.False(f.IsPacked, f.FullName));
    }

    // Every message named in bbs-protocol.md §3 (both eras), plus our cells extension.
    private static readonly string[] SpecifiedMessages =
    [
        // common, domains, ping, errors
        "Error", "PingResponse", "ModificationTag", "EnvironmentVariable", "CachedDependency",
        "SecurityGroupRule", "PortRange", "ICMPInfo", "DomainsResponse", "UpsertDomainRequest",
        "UpsertDomainResponse",
        // actions
        "Action", "DownloadAction", "UploadAction", "RunAction", "ResourceLimits", "TimeoutAction",
        "EmitProgressAction", "TryAction", "ParallelAction", "SerialAction", "CodependentAction", "File",
        // desired LRPs and their NEW supporting types
        "DesiredLRPKey", "DesiredLRPResource", "DesiredLRPSchedulingInfo", "DesiredLRPRunInfo",
        "DesiredLRPUpdate", "DesiredLRP", "ProtoRoutes", "VolumePlacement", "VolumeMount", "SharedDevice",
        "DedicatedDevice", "Network", "CertificateProperties", "CheckDefinition", "Check", "TCPCheck",
        "HTTPCheck", "ImageLayer", "MetricTagValue", "Sidecar", "LogRateLimit",
        "DesiredLRPLifecycleResponse", "DesiredLRPsRequest", "DesiredLRPsResponse",
        "DesiredLRPByProcessGuidRequest", "DesiredLRPResponse", "DesiredLRPSchedulingInfosResponse",
        "DesiredLRPSchedulingInfoByProcessGuidResponse", "DesireLRPRequest", "UpdateDesiredLRPRequest",
        "RemoveDesiredLRPRequest",
        // actual LRPs and evacuation
        "ActualLRPKey", "ActualLRPInstanceKey", "PortMapping", "ActualLRPNetInfo", "ActualLRPInternalRoute",
        "ActualLRP", "ActualLRPGroup", "ActualLRPLifecycleResponse", "ActualLRPGroupsResponse",
        "ActualLRPGroupResponse", "ActualLRPGroupsRequest", "ActualLRPGroupsByProcessGuidRequest",
        "ActualLRPGroupByProcessGuidAndIndexRequest", "ClaimActualLRPRequest", "StartActualLRPRequest",
        "CrashActualLRPRequest", "FailActualLRPRequest", "RetireActualLRPRequest", "RemoveActualLRPRequest",
        "ActualLRPsRequest", "ActualLRPsResponse", "ActualLRPsByProcessGuidsRequest",
        "ActualLRPsByProcessGuidsResponse", "EvacuationResponse", "EvacuateClaimedActualLRPRequest",
        "EvacuateRunningActualLRPRequest", "EvacuateStoppedActualLRPRequest", "EvacuateCrashedActualLRPRequest",
        "RemoveEvacuatingActualLRPRequest", "RemoveEvacuatingActualLRPResponse",
        // tasks and E16 convergence
        "TaskDefinition", "Task", "TaskLifecycleResponse", "DesireTaskRequest", "StartTaskRequest",
        "StartTaskResponse", "FailTaskRequest", "RejectTaskRequest", "TaskGuidRequest", "CompleteTaskRequest",
        "TaskCallbackResponse", "TasksRequest", "TasksResponse", "TaskByGuidRequest", "TaskResponse",
        "ConvergeTasksRequest", "ConvergeTasksResponse", "ConvergeLRPsResponse",
        // cells (UpsertCell* is our extension)
        "CellCapacity", "CellPresence", "Provider", "CellsResponse", "UpsertCellRequest", "UpsertCellResponse",
        // events
        "ActualLRPCreatedEvent", "ActualLRPChangedEvent", "ActualLRPRemovedEvent", "DesiredLRPCreatedEvent",
        "DesiredLRPChangedEvent", "DesiredLRPRemovedEvent", "TaskCreatedEvent", "TaskChangedEvent",
        "TaskRemovedEvent", "ActualLRPInstanceCreatedEvent", "ActualLRPInstanceRemovedEvent",
        "ActualLRPInstanceChangedEvent", "ActualLRPInfo", "ActualLRPCrashedEvent", "EventsByCellId",
    ];

    [Fact]
    public void ExactlyTheSpecifiedMessagesAreGenerated() =>
        Assert.Equal(
            SpecifiedMessages.Order(StringComparer.Ordinal),
            AllMessages().Select(m => m.Name).Order(StringComparer.Ordinal));
}
