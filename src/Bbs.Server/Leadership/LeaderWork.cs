using Bbs.Server.Convergence;
using Bbs.Server.Encryption;
using Bbs.Server.Events;
using Bbs.Server.Tasks;
using Microsoft.Extensions.Options;
using BbsTask = Bbs.Models.Task;

namespace Bbs.Server.Leadership;

/// <summary>
/// The background work only the leader does, started when it gains leadership and stopped the moment it
/// loses it: LRP and task convergence every <c>converge_repeat_interval</c> (run concurrently, as NEW does),
/// and completion callbacks for every task that completes, on whichever instance it completed (seen through
/// this instance's event hub), and key rotation (re-sealing records under the active key).
/// </summary>
public sealed partial class LeaderWork(
    LeaderElection election,
    LrpConverger lrps,
    TaskConverger tasks,
    EventHub hub,
    TaskCompletionCallbacks callbacks,
    KeyRotation rotation,
    IOptions<ConvergenceOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<LeaderWork> logger) : BackgroundService
{
    // Passes are scheduled on real time; the BBS rules inside them use the injectable TimeProvider.
    private readonly TimeProvider time = TimeProvider.System;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested)
        {
            CancellationToken leading;
            try
            {
                leading = await election.WaitForLeadershipAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // Work stops when leadership ends or when this server begins to stop (ApplicationStopping comes before
            // any hosted service is stopped, and before Kestrel drains requests), whichever comes first: no pass
            // starts after shutdown has begun.
            using var working = CancellationTokenSource.CreateLinkedTokenSource(leading, stoppingToken, lifetime.ApplicationStopping);
            try
            {
                await Task.WhenAll(ConvergeLoopAsync(working.Token), CallbackLoopAsync(working.Token), rotation.RunAsync(working.Token)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (working.IsCancellationRequested)
            {
                LogStopped(logger);
            }
        }
    }

    private async Task ConvergeLoopAsync(CancellationToken leading)
    {
        var o = options.Value;
        while (true)
        {
            leading.ThrowIfCancellationRequested();
            try
            {
                await Task.WhenAll(
                    lrps.ConvergeAsync(leading, leading),
                    tasks.ConvergeAsync(o.KickTaskDuration, o.ExpirePendingTaskDuration, o.ExpireCompletedTaskDuration, leading, leading)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogConvergenceFailed(logger, ex);
            }

            await Task.Delay(o.ConvergeRepeatInterval, time, leading).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Submits the callback of every task that just completed (from Pending or Running). Should this
    /// subscriber fall behind and be dropped, it subscribes again; convergence re-drives what it missed.
    /// </summary>
    private async Task CallbackLoopAsync(CancellationToken leading)
    {
        while (true)
        {
            try
            {
                using var subscription = await hub.SubscribeAsync(EventStreams.Tasks, string.Empty, null, leading).ConfigureAwait(false);
                await foreach (var e in subscription.Live.ReadAllAsync(leading).ConfigureAwait(false))
                {
                    if (e.Message is Bbs.Models.TaskChangedEvent
                        {
                            After: { State: BbsTask.Types.State.Completed } completed,
                            Before.State: BbsTask.Types.State.Pending or BbsTask.Types.State.Running,
                        })
                    {
                        callbacks.Submit(completed);
                    }
                }
            }
            catch (ObjectDisposedException)
            {
                // The hub has stopped: so is this server.
                return;
            }
            catch (Exception ex) when (ex is SlowConsumerException or System.Threading.Channels.ChannelClosedException && !leading.IsCancellationRequested)
            {
                LogCallbackFeedRestarted(logger, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), time, leading).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "callback feed interrupted ({Reason}); resubscribing")]
    private static partial void LogCallbackFeedRestarted(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "leadership ended: convergence, callbacks and key rotation stopped on this instance")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "convergence pass failed")]
    private static partial void LogConvergenceFailed(ILogger logger, Exception exception);
}
