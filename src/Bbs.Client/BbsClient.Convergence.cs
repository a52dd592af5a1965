using Bbs.Models;

namespace Bbs.Client;

public sealed partial class BbsClient
{
    /// <summary>Runs one LRP convergence pass. POST /v1/lrps/converge (ConvergeLRPs, E15/E16), empty body.</summary>
    public async Task ConvergeLrpsAsync(string? traceId = null, CancellationToken cancellationToken = default) =>
        await CallAsync<ConvergeLRPsResponse>(Routes.ConvergeLrps, null, traceId, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Runs one task convergence pass with the converger's durations (sent in nanoseconds).
    /// POST /v1/tasks/converge (ConvergeTasks, E15/E16).
    /// </summary>
    public async Task ConvergeTasksAsync(
        TimeSpan kickTaskDuration,
        TimeSpan expirePendingTaskDuration,
        TimeSpan expireCompletedTaskDuration,
        string? traceId = null,
        CancellationToken cancellationToken = default)
    {
        var request = new ConvergeTasksRequest
        {
            KickTaskDuration = Nanoseconds(kickTaskDuration),
            ExpirePendingTaskDuration = Nanoseconds(expirePendingTaskDuration),
            ExpireCompletedTaskDuration = Nanoseconds(expireCompletedTaskDuration),
        };
        await CallAsync<ConvergeTasksResponse>(Routes.ConvergeTasks, request, traceId, cancellationToken).ConfigureAwait(false);
    }

    private static long Nanoseconds(TimeSpan duration) => checked(duration.Ticks * TimeSpan.NanosecondsPerTick);
}
