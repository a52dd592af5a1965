using Bbs.Models;

namespace Bbs.Faults.Workload;

/// <summary>
/// The cells' heartbeats: every second each of <see cref="Cells"/> cells upserts its presence (60 s TTL), so the
/// leader's convergence never finds the writers' instances and tasks on a missing cell. The rep address refuses
/// connections, so stops the server sends there fail at once.
/// </summary>
public sealed class CellHeartbeat(int id, IReadOnlyList<Uri> servers, RequestLog log, Journal journal, FaultOptions options)
    : Writer(id, servers, log, journal, options)
{
    public const int Cells = 4;

    public static string CellId(int n) => $"fault-cell-{n % Cells}";

    protected override async Task RoundAsync(int round, CancellationToken stop)
    {
        for (int n = 0; n < Cells; n++)
        {
            string cell = CellId(n);
            var presence = new CellPresence { CellId = cell, RepAddress = "http://127.0.0.1:9", Zone = "z1", Capacity = new CellCapacity { MemoryMb = 1024, DiskMb = 1024, Containers = 100 } };
            await WriteAsync("UpsertCell", [new($"cell/{cell}", s => s.Cells.Contains(cell) ? null : $"cell {cell} is not present")],
                c => c.UpsertCellAsync(presence, TimeSpan.FromSeconds(60)), stop).ConfigureAwait(false);
        }

        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1), stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
