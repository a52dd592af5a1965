using Bbs.Models;
using BbsTask = Bbs.Models.Task;

namespace Bbs.Faults.Workload;

/// <summary>
/// Task lifecycles on fresh guids: desire, start on a cell, complete, resolving, delete. One round in four stops
/// after the desire (left PENDING) and one after the start (left RUNNING), so the final state holds tasks in
/// several states. Completing a task clears its cell, as BBS does.
/// </summary>
public sealed class TaskWriter(int id, IReadOnlyList<Uri> servers, RequestLog log, Journal journal, FaultOptions options, string runId)
    : Writer(id, servers, log, journal, options)
{
    protected override async Task RoundAsync(int round, CancellationToken stop)
    {
        string guid = $"{runId}-task{Id}-{round}";
        string cell = CellHeartbeat.CellId(Id + round);
        string entity = TaskEntity(guid);
        string result = "result-" + guid;
        if (!await WriteAsync("DesireTask", [new(entity, s => Checks.Task(s, guid, BbsTask.Types.State.Pending))],
                c => c.DesireTaskAsync(guid, LrpWriter.Domain, Definition()), stop).ConfigureAwait(false)
            || round % 4 == 1
            || !await WriteAsync("StartTask", [new(entity, s => Checks.Task(s, guid, BbsTask.Types.State.Running, cell))],
                c => c.StartTaskAsync(guid, cell), stop).ConfigureAwait(false)
            || round % 4 == 2
            || !await WriteAsync("CompleteTask", [new(entity, s => Checks.Task(s, guid, BbsTask.Types.State.Completed, cell: string.Empty, result))],
                c => c.CompleteTaskAsync(guid, cell, failed: false, failureReason: string.Empty, result), stop).ConfigureAwait(false)
            || !await WriteAsync("ResolvingTask", [new(entity, s => Checks.Task(s, guid, BbsTask.Types.State.Resolving, cell: string.Empty, result))],
                c => c.ResolvingTaskAsync(guid), stop).ConfigureAwait(false))
        {
            return;
        }

        await WriteAsync("DeleteTask", [new(entity, s => Checks.TaskAbsent(s, guid))], c => c.DeleteTaskAsync(guid), stop).ConfigureAwait(false);
    }

    public static string TaskEntity(string guid) => $"task/{guid}";

    public static TaskDefinition Definition() => new()
    {
        RootFs = "preloaded:cflinuxfs4",
        Action = new Models.Action { RunAction = new RunAction { Path = "/bin/true", User = "vcap" } },
        MemoryMb = 64,
        DiskMb = 64,
        LogGuid = "fault-task-log",
    };
}
