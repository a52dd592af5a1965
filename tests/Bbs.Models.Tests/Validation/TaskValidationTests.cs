using Bbs.Models.Validation;

namespace Bbs.Models.Tests.Validation;

public sealed class TaskValidationTests
{
    private static readonly ValidationCases<TaskDefinition> DefinitionCases = new ValidationCases<TaskDefinition>(Valid.TaskDefinition)
        .Add("a complete task definition is valid", _ => { }, null)
        .Add("a preloaded rootfs is valid", t => t.RootFs = "preloaded:cflinuxfs4", null)
        .Add("an empty rootfs is reported once", t => t.RootFs = "", "Invalid field: rootfs")
        .Add("a task rootfs needs a scheme", t => t.RootFs = "cflinuxfs4", "Invalid field: rootfs")
        .Add("a task needs an action", t => t.Action = null, "invalid action type")
        .Add("a task's invalid action is named before its errors", t => t.Action = Valid.Run(""), "Invalid field: action, Invalid field: path")
        .Add("a task's cpu weight is at most 100", t => t.CpuWeight = 101, "Invalid field: cpu_weight")
        .Add("a task's memory may not be negative", t => t.MemoryMb = -1, "Invalid field: memory_mb")
        .Add("a task's disk may not be negative", t => t.DiskMb = -1, "Invalid field: disk_mb")
        .Add("a task's log rate limit is at least minus one", t => t.LogRateLimit = new LogRateLimit { BytesPerSecond = -2 }, "Invalid field: log_rate_limit")
        .Add("a task's max pids may not be negative", t => t.MaxPids = -1, "Invalid field: max_pids")
        .Add("a task annotation over 10 KiB is invalid", t => t.Annotation = new string('a', 10241), "Invalid field: annotation")
        .Add("a task names a bad egress rule without its errors", t => t.EgressRules.Add(new SecurityGroupRule { Protocol = "tcp", Destinations = { "1.2.3.4" } }), "Invalid field: egress_rules")
        .Add("a task with valid egress rules is accepted", t => t.EgressRules.Add(Valid.TcpRule()), null)
        .Add("a task image password needs a username", t => t.ImagePassword = "p", "Invalid field: image_username")
        .Add("a task cached dependency needs from and to", t => t.CachedDependencies.Add(new CachedDependency()), "Invalid field: cached_dependency, Invalid field: from, Invalid field: to")
        .Add("a task exclusive layer needs the legacy download user", t => t.ImageLayers.Add(new ImageLayer { Url = "u", DestinationPath = "/d", LayerType = ImageLayer.Types.Type.Exclusive, MediaType = ImageLayer.Types.MediaType.Tgz, DigestAlgorithm = ImageLayer.Types.DigestAlgorithm.Sha256, DigestValue = "v" }), "Invalid field: legacy_download_user")
        .Add("task failures are listed in order", t => { t.RootFs = ""; t.Action = null; t.CpuWeight = 101; }, "Invalid field: rootfs, invalid action type, Invalid field: cpu_weight");

    private static readonly Dictionary<string, (Func<IValidatable> Build, string? Expected)> RequestCases = new()
    {
        ["desiring a task names guid, domain and definition"] = (() => Desire(), null),
        ["a task guid may not contain a slash"] = (() => Desire(d => d.TaskGuid = "t/1"), "Invalid field: task_guid"),
        ["desiring a task needs a domain"] = (() => Desire(d => d.Domain = ""), "Invalid field: domain"),
        ["desiring a task needs a definition"] = (() => Desire(d => d.TaskDefinition = null), "Invalid field: task_definition"),
        ["desiring a task passes on definition errors"] = (() => Desire(d => d.TaskDefinition.Action = null), "invalid action type"),
        ["an empty desire lists guid, domain and definition"] = (() => new DesireTaskRequest(), "Invalid field: task_guid, Invalid field: domain, Invalid field: task_definition"),
        ["a task record lists domain before guid"] = (() => new Task { TaskDefinition = Valid.TaskDefinition() }, "Invalid field: domain, Invalid field: task_guid"),
        ["a complete task record is valid"] = (() => new Task { TaskGuid = "t", Domain = "d", TaskDefinition = Valid.TaskDefinition() }, null),
        ["starting a task needs a cell"] = (() => new StartTaskRequest { TaskGuid = "t" }, "Invalid field: cell_id"),
        ["starting a task needs a well-formed guid"] = (() => new StartTaskRequest { TaskGuid = "t 1", CellId = "c" }, "Invalid field: task_guid"),
        ["starting a task with guid and cell is valid"] = (() => new StartTaskRequest { TaskGuid = "t", CellId = "c" }, null),
        ["completing a task needs a cell"] = (() => new CompleteTaskRequest { TaskGuid = "t", Failed = true }, "Invalid field: cell_id"),
        ["completing a task needs guid and cell"] = (() => new CompleteTaskRequest(), "Invalid field: task_guid, Invalid field: cell_id"),
        ["failing a task needs a reason"] = (() => new FailTaskRequest { TaskGuid = "t" }, "Invalid field: failure_reason"),
        ["failing a task with a reason is valid"] = (() => new FailTaskRequest { TaskGuid = "t", FailureReason = "r" }, null),
        ["rejecting a task calls its missing reason failure_reason"] = (() => new RejectTaskRequest { TaskGuid = "t" }, "Invalid field: failure_reason"),
        ["rejecting a task with a reason is valid"] = (() => new RejectTaskRequest { TaskGuid = "t", RejectionReason = "full" }, null),
        ["cancel, resolving and delete need a task guid"] = (() => new TaskGuidRequest(), "Invalid field: task_guid"),
        ["a task guid request does not check the pattern"] = (() => new TaskGuidRequest { TaskGuid = "any text!" }, null),
        ["a task by guid needs a guid"] = (() => new TaskByGuidRequest(), "Invalid field: task_guid"),
        ["task listing filters are optional"] = (() => new TasksRequest(), null),
    };

    public static TheoryData<string> DefinitionNames => DefinitionCases.Names;

    public static TheoryData<string> RequestNames => [.. RequestCases.Keys];

    [Theory]
    [MemberData(nameof(DefinitionNames))]
    public void TaskDefinitionValidationReportsBbsFieldNames(string name) => DefinitionCases.Check(name);

    [Theory]
    [MemberData(nameof(RequestNames))]
    public void TaskRequestsNameTheMissingField(string name)
    {
        var (build, expected) = RequestCases[name];

        Assert.Equal(expected, build().Validate());
    }

    private static DesireTaskRequest Desire(System.Action<DesireTaskRequest>? change = null)
    {
        var request = new DesireTaskRequest { TaskGuid = "task-1_A", Domain = "cf-tasks", TaskDefinition = Valid.TaskDefinition() };
        change?.Invoke(request);
        return request;
    }
}
