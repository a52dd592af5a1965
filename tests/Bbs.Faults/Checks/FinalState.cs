using Bbs.Client;
using Bbs.Models;
using BbsTask = Bbs.Models.Task;

namespace Bbs.Faults;

/// <summary>The state after the run, read through the list routes of one server.</summary>
public sealed class FinalState
{
    private FinalState(IReadOnlyList<DesiredLRP> desired, IReadOnlyList<ActualLRP> actuals, IReadOnlyList<BbsTask> tasks, IReadOnlyList<CellPresence> cells)
    {
        Desired = desired.ToDictionary(d => d.ProcessGuid);
        Actuals = actuals;
        Instances = actuals.Where(a => a.Presence == ActualLRP.Types.Presence.Ordinary)
            .GroupBy(a => (a.ActualLrpKey.ProcessGuid, a.ActualLrpKey.Index)).ToDictionary(g => g.Key, g => g.First());
        Evacuating = actuals.Where(a => a.Presence == ActualLRP.Types.Presence.Evacuating)
            .GroupBy(a => (a.ActualLrpKey.ProcessGuid, a.ActualLrpKey.Index)).ToDictionary(g => g.Key, g => g.First());
        Tasks = tasks.ToDictionary(t => t.TaskGuid);
        Cells = cells.Select(c => c.CellId).ToHashSet();
    }

    public IReadOnlyDictionary<string, DesiredLRP> Desired { get; }

    /// <summary>Every actual LRP record as listed (duplicates, if any, kept).</summary>
    public IReadOnlyList<ActualLRP> Actuals { get; }

    public IReadOnlyDictionary<(string Guid, int Index), ActualLRP> Instances { get; }

    public IReadOnlyDictionary<(string Guid, int Index), ActualLRP> Evacuating { get; }

    public IReadOnlyDictionary<string, BbsTask> Tasks { get; }

    public IReadOnlySet<string> Cells { get; }

    public static async Task<FinalState> ReadAsync(BbsClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var desired = await client.DesiredLrpsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var actuals = await client.ActualLrpsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var tasks = await client.TasksAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var cells = await client.CellsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return new FinalState(desired, actuals, tasks, cells);
    }
}
