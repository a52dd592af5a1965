using System.Diagnostics.Metrics;
using System.Net;
using System.Threading.Channels;
using Bbs.Db;
using Bbs.Models;
using Microsoft.Extensions.Options;
using BbsTask = Bbs.Models.Task;

namespace Bbs.Server.Tasks;

/// <summary>
/// The completion-callback pool (bbs-protocol.md §4.3): for a completed task with a callback URL, mark it
/// Resolving, POST its JSON TaskCallbackResponse (up to 3 tries on 503/504, timeouts and closed
/// connections), then delete it; a callback that never accepts, or cannot be reached, leaves it Resolving
/// for convergence to demote and retry.
/// Work waits in a bounded queue and runs on at most task_callback_workers at once; what does not fit is
/// left Completed, and task convergence re-drives it, so nothing is lost across overload or restarts.
/// </summary>
public sealed partial class TaskCompletionCallbacks : BackgroundService
{
    public const string HttpClientName = "task-callbacks";
    private const int MaxAttempts = 3;

    private readonly IDb db;
    private readonly IHttpClientFactory httpClients;
    private readonly TaskOptions options;
    private readonly ILogger<TaskCompletionCallbacks> logger;
    private readonly Channel<(BbsTask Task, System.Diagnostics.ActivityContext Trace)> queue;
    private readonly Counter<long> callbacks;

    public TaskCompletionCallbacks(IDb db, IHttpClientFactory httpClients, IOptions<TaskOptions> options, IMeterFactory meters, ILogger<TaskCompletionCallbacks> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meters);
        callbacks = meters.Create(Bbs.Server.Metrics.Telemetry.MeterName).CreateCounter<long>(
            "bbs_task_callbacks",
            description: "completion callbacks, by outcome: answered (the task is deleted), unreachable, or retries_exhausted (both leave it Resolving for convergence)");
        foreach (var outcome in (string[])["answered", "unreachable", "retries_exhausted"])
        {
            callbacks.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
        }

        this.db = db;
        this.httpClients = httpClients;
        this.options = options.Value;
        this.logger = logger;
        queue = Channel.CreateBounded<(BbsTask, System.Diagnostics.ActivityContext)>(new BoundedChannelOptions(this.options.CallbackQueueCapacity) { FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>
    /// Queues the callback of a completed task, when it has a callback URL. Never blocks: a full queue
    /// leaves the task Completed for convergence to re-drive.
    /// </summary>
    public void Submit(BbsTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (string.IsNullOrEmpty(task.TaskDefinition?.CompletionCallbackUrl))
        {
            return;
        }

        if (!queue.Writer.TryWrite((task, Bbs.Peers.PeerTelemetry.Capture())))
        {
            LogQueueFull(logger, task.TaskGuid);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Parallel.ForEachAsync(
            queue.Reader.ReadAllAsync(stoppingToken),
            new ParallelOptions { MaxDegreeOfParallelism = options.CallbackWorkers, CancellationToken = stoppingToken },
            async (item, ct) =>
            {
                // The callback continues the trace of the request that completed the task.
                using var trace = Bbs.Peers.PeerTelemetry.Continue("bbs.task_callback", [item.Trace]);
                await ResolveAsync(item.Task, ct).ConfigureAwait(false);
            });

    private async Task ResolveAsync(BbsTask task, CancellationToken cancellationToken)
    {
        try
        {
            await db.ResolvingTaskAsync(task.TaskGuid, cancellationToken).ConfigureAwait(false);
        }
        catch (BbsErrorException ex)
        {
            // Someone else resolves it (another worker, another instance, or it is gone): not ours to call back.
            LogNotResolving(logger, task.TaskGuid, ex.Message);
            return;
        }

        if (!await CallBackAsync(task, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            await db.DeleteTaskAsync(task.TaskGuid, cancellationToken).ConfigureAwait(false);
        }
        catch (BbsErrorException ex)
        {
            LogDeleteFailed(logger, task.TaskGuid, ex.Message);
        }
    }

    /// <summary>
    /// POSTs the callback, up to 3 tries: 503/504, timeouts and closed connections are tried again. True when
    /// the callback answered anything else (the task is then deleted); false leaves the task Resolving, for
    /// convergence to demote and call back again.
    /// </summary>
    private async Task<bool> CallBackAsync(BbsTask task, CancellationToken cancellationToken)
    {
        var url = task.TaskDefinition.CompletionCallbackUrl;
        var body = CallbackJson(task);
        var client = httpClients.CreateClient(HttpClientName);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.CallbackTimeout);
            try
            {
                using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
                using var response = await client.PostAsync(new Uri(url), content, timeout.Token).ConfigureAwait(false);
                LogCalledBack(logger, task.TaskGuid, (int)response.StatusCode, attempt);
                if (response.StatusCode is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout))
                {
                    Count("answered");
                    return true;
                }
            }
            catch (Exception ex) when (Retryable(ex, cancellationToken))
            {
                LogRetrying(logger, task.TaskGuid, attempt, ex.Message);
            }
            catch (Exception ex) when (ex is HttpRequestException or UriFormatException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
            {
                LogUnreachable(logger, task.TaskGuid, Bbs.Peers.SafeUrl.ForLog(url), ex.Message);
                Count("unreachable");
                return false;
            }
        }

        LogLeftResolving(logger, task.TaskGuid, MaxAttempts);
        Count("retries_exhausted");
        return false;
    }

    private void Count(string outcome) => callbacks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>
    /// TaskCallbackResponse as Go's encoding/json writes it for BBS: every field present except an empty
    /// annotation (the only omitempty), created_at as a number.
    /// </summary>
    private static string CallbackJson(BbsTask task)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("task_guid", task.TaskGuid);
            json.WriteBoolean("failed", task.Failed);
            json.WriteString("failure_reason", task.FailureReason);
            json.WriteString("result", task.Result);
            if (task.TaskDefinition.Annotation.Length > 0)
            {
                json.WriteString("annotation", task.TaskDefinition.Annotation);
            }

            json.WriteNumber("created_at", task.CreatedAt);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Client timeouts and closed connections are tried again (as BBS's taskworkpool does).</summary>
    private static bool Retryable(Exception ex, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && (ex is OperationCanceledException || ex is HttpRequestException { InnerException: IOException });

    [LoggerMessage(Level = LogLevel.Warning, Message = "callback queue full: task {TaskGuid} stays Completed until convergence re-drives it")]
    private static partial void LogQueueFull(ILogger logger, string taskGuid);

    [LoggerMessage(Level = LogLevel.Information, Message = "task {TaskGuid} not resolving: {Reason}")]
    private static partial void LogNotResolving(ILogger logger, string taskGuid, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "callback of task {TaskGuid} not accepted after {Attempts} tries: left Resolving for convergence")]
    private static partial void LogLeftResolving(ILogger logger, string taskGuid, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not delete resolved task {TaskGuid}: {Reason}")]
    private static partial void LogDeleteFailed(ILogger logger, string taskGuid, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "callback of task {TaskGuid} answered {StatusCode} (attempt {Attempt})")]
    private static partial void LogCalledBack(ILogger logger, string taskGuid, int statusCode, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "callback of task {TaskGuid} failed (attempt {Attempt}), retrying: {Reason}")]
    private static partial void LogRetrying(ILogger logger, string taskGuid, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "callback of task {TaskGuid} to {Url} unreachable: {Reason}; left Resolving for convergence")]
    private static partial void LogUnreachable(ILogger logger, string taskGuid, string url, string reason);
}
