using Bbs.Models;
using Bbs.Server.Http;

namespace Bbs.Server.Convergence;

public static class ConvergenceApi
{
    public static RouteGroupBuilder MapConvergenceApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/lrps/converge", ConvergeLrps).WithName("ConvergeLRPs");
        v1.MapPost("/tasks/converge", ConvergeTasks).WithName("ConvergeTasks");
        return v1;
    }

    /// <summary>
    /// One LRP convergence pass (E15/E16's converger route; the body is ignored). Concurrent calls share passes; a
    /// pass outlives a caller that hangs up (it stops only with the server).
    /// </summary>
    public static async Task<BbsResult<ConvergeLRPsResponse>> ConvergeLrps(LrpConverger converger, IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        await converger.ConvergeAsync(lifetime.ApplicationStopping, cancellationToken);
        return new ConvergeLRPsResponse();
    }

    /// <summary>One task convergence pass with the request's durations (E15/E16's converger route).</summary>
    public static async Task<BbsResult<ConvergeTasksResponse>> ConvergeTasks(BbsRequest<ConvergeTasksRequest> request, TaskConverger converger, IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        var r = request.Message;
        await converger.ConvergeAsync(FromNanos(r.KickTaskDuration), FromNanos(r.ExpirePendingTaskDuration), FromNanos(r.ExpireCompletedTaskDuration), lifetime.ApplicationStopping, cancellationToken);
        return new ConvergeTasksResponse();
    }

    private static TimeSpan FromNanos(long nanos) => TimeSpan.FromTicks(nanos / 100);
}
