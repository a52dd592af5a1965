using Bbs.Models;
using Google.Protobuf;
using BbsAction = Bbs.Models.Action;
using BbsTask = Bbs.Models.Task;

namespace Bbs.Fuzz;

/// <summary>
/// Valid messages for the seed corpus, with the values of the golden wire tests and the validation tests' valid
/// messages, and every optional part a validator looks into set once (actions of each kind, egress rules, checks,
/// image layers, volume mounts, sidecars, metric tags), so mutations start from every branch.
/// </summary>
internal static class Messages
{
    public static IEnumerable<IMessage> Requests()
    {
        yield return new ActualLRPGroupByProcessGuidAndIndexRequest { ProcessGuid = "pg-1", Index = 1 };
        yield return new ActualLRPGroupsByProcessGuidRequest { ProcessGuid = "pg-1" };
        yield return new ActualLRPGroupsRequest { Domain = "cf-apps", CellId = "cell-1" };
        yield return new ActualLRPsByProcessGuidsRequest { ProcessGuids = { "pg-1", "pg-2" } };
        yield return new ActualLRPsRequest { Domain = "cf-apps", CellId = "cell-1", ProcessGuid = "pg-1", Index = 0 };
        yield return new ClaimActualLRPRequest { ProcessGuid = "pg-1", Index = 2, ActualLrpInstanceKey = InstanceKey() };
        yield return new CompleteTaskRequest { TaskGuid = "task-1", CellId = "cell-1", Failed = true, FailureReason = "boom", Result = "r" };
        yield return new ConvergeTasksRequest { KickTaskDuration = 30_000_000_000, ExpirePendingTaskDuration = 1, ExpireCompletedTaskDuration = 2 };
        yield return new CrashActualLRPRequest { ActualLrpKey = LrpKey(), ActualLrpInstanceKey = InstanceKey(), ErrorMessage = "crashed" };
        yield return new DesireLRPRequest { DesiredLrp = DesiredLrp() };
        yield return new DesireTaskRequest { TaskGuid = "task-1", Domain = "cf-tasks", TaskDefinition = TaskDefinition() };
        yield return new DesiredLRPByProcessGuidRequest { ProcessGuid = "pg-1" };
        yield return new DesiredLRPsRequest { Domain = "cf-apps", ProcessGuids = { "pg-1" }, AppGuids = { "app-1" } };
        yield return new EvacuateClaimedActualLRPRequest { ActualLrpKey = LrpKey(), ActualLrpInstanceKey = InstanceKey() };
        yield return new EvacuateCrashedActualLRPRequest { ActualLrpKey = LrpKey(), ActualLrpInstanceKey = InstanceKey(), ErrorMessage = "crashed" };
        yield return new EvacuateRunningActualLRPRequest
        {
            ActualLrpKey = LrpKey(),
            ActualLrpInstanceKey = InstanceKey(),
            ActualLrpNetInfo = NetInfo(),
            Ttl = 60,
            ActualLrpInternalRoutes = { new ActualLRPInternalRoute { Hostname = "a.apps.internal" } },
            MetricTags = { ["app"] = "web" },
            Routable = true,
            AvailabilityZone = "z1",
        };
        yield return new EvacuateStoppedActualLRPRequest { ActualLrpKey = LrpKey(), ActualLrpInstanceKey = InstanceKey() };
        yield return new FailActualLRPRequest { ActualLrpKey = LrpKey(), ErrorMessage = "no room" };
        yield return new FailTaskRequest { TaskGuid = "task-1", FailureReason = "boom" };
        yield return new RejectTaskRequest { TaskGuid = "task-1", RejectionReason = "full" };
        yield return new RemoveActualLRPRequest { ProcessGuid = "pg-1", Index = 1, ActualLrpInstanceKey = InstanceKey() };
        yield return new RemoveDesiredLRPRequest { ProcessGuid = "pg-1" };
        yield return new RemoveEvacuatingActualLRPRequest { ActualLrpKey = LrpKey(), ActualLrpInstanceKey = InstanceKey() };
        yield return new RetireActualLRPRequest { ActualLrpKey = LrpKey() };
        yield return new StartActualLRPRequest
        {
            ActualLrpKey = LrpKey(),
            ActualLrpInstanceKey = InstanceKey(),
            ActualLrpNetInfo = NetInfo(),
            ActualLrpInternalRoutes = { new ActualLRPInternalRoute { Hostname = "a.apps.internal" } },
            MetricTags = { ["app"] = "web" },
            Routable = false,
            AvailabilityZone = "z1",
        };
        yield return new StartTaskRequest { TaskGuid = "task-1", CellId = "cell-1" };
        yield return new TaskByGuidRequest { TaskGuid = "task-1" };
        yield return new TaskGuidRequest { TaskGuid = "task-1" };
        yield return new TasksRequest { Domain = "cf-tasks", CellId = "cell-1" };
        yield return new UpdateDesiredLRPRequest
        {
            ProcessGuid = "pg-1",
            Update = new DesiredLRPUpdate
            {
                Instances = 3,
                Routes = Routes(),
                Annotation = "note",
                MetricTags = { ["source_id"] = new MetricTagValue { Static = "metrics-1" }, ["index"] = new MetricTagValue { Dynamic = MetricTagValue.Types.DynamicValue.Index } },
                ImageUsername = "user",
                ImagePassword = "secret",
            },
        };
        yield return new UpsertCellRequest
        {
            Ttl = 30,
            CellPresence = new CellPresence
            {
                CellId = "cell-1",
                RepAddress = "http://10.0.0.1:1800",
                RepUrl = "https://cell-1.service.cf.internal:1801",
                Zone = "z1",
                Capacity = new CellCapacity { MemoryMb = 4096, DiskMb = 8192, Containers = 250 },
                RootfsProviders = { new Provider { Name = "preloaded", Properties = { "cflinuxfs4" } }, new Provider { Name = "docker" } },
                PlacementTags = { "blue" },
                OptionalPlacementTags = { "green" },
                Annotations = { ["k"] = "v" },
            },
        };
        yield return new UpsertDomainRequest { Domain = "cf-apps", Ttl = 120 };
    }

    /// <summary>One valid model of every stored kind (tests/Bbs.Db.Tests/Format/Records.cs), richer where it has parts.</summary>
    public static IEnumerable<IMessage> Records()
    {
        yield return new ActualLRP
        {
            ActualLrpKey = new ActualLRPKey { ProcessGuid = "pg-1", Index = 2, Domain = "cf-apps" },
            ActualLrpInstanceKey = new ActualLRPInstanceKey { InstanceGuid = "ig-1", CellId = "cell-1" },
            ActualLrpNetInfo = NetInfo(),
            State = "RUNNING",
            Since = 1_700_000_000_000_000_000,
            ModificationTag = new ModificationTag { Epoch = "epoch-1", Index = 3 },
            MetricTags = { ["app"] = "web" },
            Routable = true,
        };
        yield return new DesiredLRPSchedulingInfo
        {
            DesiredLrpKey = new DesiredLRPKey { ProcessGuid = "pg-1", Domain = "cf-apps", LogGuid = "log-1" },
            Annotation = "note",
            Instances = 3,
            DesiredLrpResource = new DesiredLRPResource { MemoryMb = 256, DiskMb = 1024, RootFs = "preloaded:cflinuxfs4" },
            Routes = Routes(),
            ModificationTag = new ModificationTag { Epoch = "epoch-1", Index = 1 },
            PlacementTags = { "blue" },
            VolumePlacement = new VolumePlacement { DriverNames = { "nfs" } },
        };
        var lrp = DesiredLrp();
        yield return new DesiredLRPRunInfo
        {
            DesiredLrpKey = new DesiredLRPKey { ProcessGuid = lrp.ProcessGuid, Domain = lrp.Domain, LogGuid = "log-1" },
            EnvironmentVariables = { lrp.EnvironmentVariables },
            Setup = lrp.Setup,
            Action = lrp.Action,
            Monitor = lrp.Monitor,
            StartTimeoutMs = 60_000,
            Ports = { 8080, 2222 },
            EgressRules = { lrp.EgressRules },
            LogSource = "APP",
            CreatedAt = 1_700_000_000_000_000_000,
            CachedDependencies = { lrp.CachedDependencies },
            VolumeMounts = { lrp.VolumeMounts },
            CheckDefinition = lrp.CheckDefinition,
            ImageLayers = { lrp.ImageLayers },
            Sidecars = { lrp.Sidecars },
            MetricTags = { lrp.MetricTags },
            MetricsGuid = lrp.MetricsGuid,
            LegacyDownloadUser = lrp.LegacyDownloadUser,
        };
        yield return new BbsTask
        {
            TaskGuid = "task-1",
            Domain = "cf-tasks",
            State = BbsTask.Types.State.Running,
            CellId = "cell-1",
            CreatedAt = 1_700_000_000_000_000_000,
            UpdatedAt = 1_700_000_000_000_000_001,
            TaskDefinition = TaskDefinition(),
        };
        yield return new CellPresence { CellId = "cell-1", RepAddress = "http://10.0.0.1:1800", Capacity = new CellCapacity { MemoryMb = 1, DiskMb = 1, Containers = 1 } };
    }

    private static ActualLRPKey LrpKey() => new() { ProcessGuid = "pg-1", Index = 0, Domain = "cf-apps" };

    private static ActualLRPInstanceKey InstanceKey() => new() { InstanceGuid = "ig-1", CellId = "cell-1" };

    private static ActualLRPNetInfo NetInfo() => new()
    {
        Address = "10.0.0.1",
        Ports = { new PortMapping { ContainerPort = 8080, HostPort = 61000, ContainerTlsProxyPort = 61001, HostTlsProxyPort = 61002 } },
        InstanceAddress = "10.255.0.2",
        PreferredAddress = ActualLRPNetInfo.Types.PreferredAddress.Host,
    };

    private static ProtoRoutes Routes() => new()
    {
        Routes = { ["cf-router"] = ByteString.CopyFromUtf8("""[{"hostnames":["a.example.com"],"port":8080}]""") },
    };

    private static BbsAction Run(string path) => new()
    {
        RunAction = new RunAction
        {
            Path = path,
            Args = { "-c", "run" },
            Dir = "/home/vcap",
            User = "vcap",
            Env = { new EnvironmentVariable { Name = "A", Value = "1" } },
            ResourceLimits = new ResourceLimits { Nofile = 1024 },
            VolumeMountedFiles = { new Bbs.Models.File { Path = "/etc/x", Content = "y" } },
        },
    };

    private static BbsAction Download() => new()
    {
        DownloadAction = new DownloadAction
        {
            From = "http://blobstore/droplet",
            To = "/home/vcap",
            User = "vcap",
            CacheKey = "droplet",
            ChecksumAlgorithm = "sha256",
            ChecksumValue = "abc",
        },
    };

    private static BbsAction Setup() => new()
    {
        SerialAction = new SerialAction
        {
            Actions =
            {
                Download(),
                new BbsAction { UploadAction = new UploadAction { From = "/tmp/out", To = "http://blobstore/out", User = "vcap" } },
                new BbsAction { EmitProgressAction = new EmitProgressAction { Action = Run("/bin/prep"), StartMessage = "s", SuccessMessage = "ok" } },
                new BbsAction { TryAction = new TryAction { Action = Run("/bin/try") } },
            },
        },
    };

    private static BbsAction Workload() => new()
    {
        CodependentAction = new CodependentAction
        {
            Actions =
            {
                new BbsAction { TimeoutAction = new TimeoutAction { Action = Run("/bin/app"), TimeoutMs = 1000 } },
                new BbsAction { ParallelAction = new ParallelAction { Actions = { Run("/bin/side") } } },
            },
        },
    };

    private static SecurityGroupRule[] EgressRules() =>
    [
        new() { Protocol = "tcp", Destinations = { "10.0.0.0/8", "10.0.0.1-10.0.0.9", "::1" }, Ports = { 80, 443 } },
        new() { Protocol = "udp", Destinations = { "0.0.0.0/0" }, PortRange = new PortRange { Start = 53, End = 53 } },
        new() { Protocol = "icmp", Destinations = { "1.2.3.4" }, IcmpInfo = new ICMPInfo { Type = 8, Code = 0 } },
        new() { Protocol = "all", Destinations = { "fe80::1/64" }, Log = true, Annotations = { "note" } },
    ];

    private static DesiredLRP DesiredLrp() => new()
    {
        ProcessGuid = "pg-1_A",
        Domain = "cf-apps",
        RootFs = "preloaded:cflinuxfs4",
        Instances = 1,
        EnvironmentVariables = { new EnvironmentVariable { Name = "PORT", Value = "8080" } },
        Setup = Setup(),
        Action = Workload(),
        Monitor = Run("/bin/healthcheck"),
        MemoryMb = 256,
        DiskMb = 1024,
        CpuWeight = 50,
        Ports = { 8080 },
        Routes = Routes(),
        LogGuid = "log-1",
        MetricsGuid = "metrics-1",
        Annotation = "note",
        EgressRules = { EgressRules() },
        CachedDependencies = { new CachedDependency { Name = "lifecycle", From = "http://file-server/lifecycle.tgz", To = "/tmp/lifecycle", CacheKey = "lc" } },
        VolumeMounts = { new VolumeMount { Driver = "nfs", ContainerDir = "/data", Mode = "rw", Shared = new SharedDevice { VolumeId = "v1", MountConfig = "{}" } } },
        Network = new Network { Properties = { ["policy"] = "on" } },
        PlacementTags = { "blue" },
        CertificateProperties = new CertificateProperties { OrganizationalUnit = { "app:1" } },
        CheckDefinition = new CheckDefinition
        {
            Checks = { new Check { HttpCheck = new HTTPCheck { Port = 8080, Path = "/health", RequestTimeoutMs = 100 } }, new Check { TcpCheck = new TCPCheck { Port = 8080 } } },
            ReadinessChecks = { new Check { TcpCheck = new TCPCheck { Port = 8080, IntervalMs = 10 } } },
        },
        ImageLayers =
        {
            new ImageLayer { Url = "http://layers/a.tgz", DestinationPath = "/a", LayerType = ImageLayer.Types.Type.Shared, MediaType = ImageLayer.Types.MediaType.Tgz },
            new ImageLayer
            {
                Url = "http://layers/b.tgz", DestinationPath = "/b", LayerType = ImageLayer.Types.Type.Exclusive, MediaType = ImageLayer.Types.MediaType.Tar,
                DigestAlgorithm = ImageLayer.Types.DigestAlgorithm.Sha256, DigestValue = "abc",
            },
        },
        MetricTags = { ["source_id"] = new MetricTagValue { Static = "metrics-1" }, ["instance"] = new MetricTagValue { Dynamic = MetricTagValue.Types.DynamicValue.InstanceGuid } },
        Sidecars = { new Sidecar { Action = Run("/bin/sidecar"), MemoryMb = 16, DiskMb = 16 } },
        LogRateLimit = new LogRateLimit { BytesPerSecond = 1024 },
        UpdateStrategy = DesiredLRP.Types.UpdateStrategy.Recreate,
        LegacyDownloadUser = "vcap",
    };

    private static TaskDefinition TaskDefinition() => new()
    {
        RootFs = "docker:///cloudfoundry/grace",
        Action = Workload(),
        MemoryMb = 256,
        DiskMb = 512,
        CpuWeight = 100,
        ResultFile = "/tmp/result",
        CompletionCallbackUrl = "https://cc.service.cf.internal:9023/internal/v3/tasks/t/completed",
        EgressRules = { EgressRules() },
        CachedDependencies = { new CachedDependency { Name = "lifecycle", From = "http://file-server/lifecycle.tgz", To = "/tmp/lifecycle", CacheKey = "lc" } },
        ImageLayers = { new ImageLayer { Url = "http://layers/a.tgz", DestinationPath = "/a", LayerType = ImageLayer.Types.Type.Shared, MediaType = ImageLayer.Types.MediaType.Zip } },
        ImageUsername = "user",
        ImagePassword = "secret",
        LogRateLimit = new LogRateLimit { BytesPerSecond = -1 },
        MetricTags = { ["index"] = new MetricTagValue { Dynamic = MetricTagValue.Types.DynamicValue.Index } },
        VolumeMountedFiles = { new Bbs.Models.File { Path = "/etc/cfg", Content = "c" } },
    };
}
