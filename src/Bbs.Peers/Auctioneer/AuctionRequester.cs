using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bbs.Peers;

/// <summary>
/// Batches auction requests and sends them to the auctioneer in the background, one POST per kind per batch.
/// </summary>
/// <remarks>
/// <para>Queue: bounded (<see cref="AuctioneerOptions.QueueCapacity"/>). A request that finds it full waits up to
/// <see cref="AuctioneerOptions.QueueFullWait"/> for room off the caller's thread, then is dropped, logged and counted;
/// at most <see cref="AuctioneerOptions.QueueCapacity"/> requests wait at a time, further ones are dropped at once.
/// Dropping is safe because convergence re-requests every missing or stale-unclaimed instance and every pending task.</para>
/// <para>Batching: the first request opens a window of <see cref="AuctioneerOptions.BatchWindow"/>; the batch is sent
/// when the window closes or <see cref="AuctioneerOptions.MaxBatchSize"/> requests are in it. Batches are sent one
/// after another; a batch that fails after its retries is counted as failed and the next batch goes on.</para>
/// <para>Shutdown: <see cref="StopAsync"/> closes the queue and sends what is in it without waiting for the window,
/// until the host's shutdown token fires; what is left then is dropped and counted.</para>
/// <para>No auctioneer configured: every request is logged and counted as not sent; nothing is queued.</para>
/// </remarks>
public sealed class AuctionRequester : IHostedService, IAuctionRequester, IDisposable
{
    private const string LrpKind = "lrp";
    private const string TaskKind = "task";
    private const string QueueFull = "queue_full";
    private const string Shutdown = "shutdown";
    private const long DropReportIntervalMs = 1000;
    private const int NotSentGuidsShown = 10;
    private static readonly TimeSpan NotSentWindow = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(1);

    private readonly IAuctioneerClient _client;
    private readonly AuctioneerOptions _options;
    private readonly PeerMetrics _metrics;
    private readonly ILogger<AuctionRequester> _logger;
    private readonly Channel<PendingAuction> _queue;
    private readonly Lock _notSentGate = new();
    private readonly Dictionary<string, (int Count, List<string> Guids)> _notSent = new(StringComparer.Ordinal);

    // Cancelled when the host's shutdown deadline passes (or on dispose): ends sending and flushing.
    private readonly CancellationTokenSource _abort = new();
    private volatile bool _stopping;
    private Task? _loop;
    private int _waitingForRoom;
    private long _droppedSinceReport;
    private long _lastDropReport = Environment.TickCount64 - DropReportIntervalMs;

    public AuctionRequester(IAuctioneerClient client, IOptions<AuctioneerOptions> options, PeerMetrics metrics, ILogger<AuctionRequester> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        _client = client;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        _queue = Channel.CreateBounded<PendingAuction>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        metrics.Meter.CreateObservableGauge(PeerMetrics.AuctionsQueued, () => _queue.Reader.Count, description: "Start requests waiting to be sent");
        if (_options.IsConfigured)
        {
            logger.AuctioneerConfigured(SafeUrl.ForLog(_options.Address), _options.BatchWindow, _options.MaxBatchSize);
        }
        else
        {
            logger.NoAuctioneerConfigured();
        }
    }

    public void RequestLrpAuctions(IReadOnlyList<LrpStartRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0)
        {
            return;
        }

        _metrics.Requested(LrpKind, requests.Count);
        if (!_options.IsConfigured)
        {
            _metrics.NotSentNoAuctioneer(LrpKind, requests.Count);
            ReportNotSent(LrpKind, requests.Count, Describe(requests));
            return;
        }

        foreach (var request in requests)
        {
            Enqueue(new PendingAuction(request, null, PeerTelemetry.Capture()));
        }
    }

    public void RequestTaskAuctions(IReadOnlyList<TaskStartRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0)
        {
            return;
        }

        _metrics.Requested(TaskKind, requests.Count);
        if (!_options.IsConfigured)
        {
            _metrics.NotSentNoAuctioneer(TaskKind, requests.Count);
            ReportNotSent(TaskKind, requests.Count, Describe(requests));
            return;
        }

        foreach (var request in requests)
        {
            Enqueue(new PendingAuction(null, request, PeerTelemetry.Capture()));
        }
    }

    /// <summary>Starts the sending loop.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop ??= Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Closes the queue and waits while the loop sends what is in it; when <paramref name="cancellationToken"/> (the
    /// host's shutdown deadline) fires, sending stops and what is left is dropped and counted.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _queue.Writer.TryComplete();
        if (_loop is null)
        {
            return;
        }

        await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!_loop.IsCompleted)
        {
            // Past the deadline: abort the send in flight; the loop then counts what is left as dropped, promptly,
            // and is given a moment to do so while logging still works.
            _abort.Cancel();
            await _loop.WaitAsync(AbortGrace, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _queue.Writer.TryComplete();
        _abort.Cancel();
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_abort.Token))
            {
                var (lrps, tasks, traces) = await CollectBatchAsync(reader);
                using (PeerTelemetry.Continue("bbs.auction_batch", traces))
                {
                    await SendAsync(LrpKind, lrps, _client.RequestLrpAuctionsAsync);
                    await SendAsync(TaskKind, tasks, _client.RequestTaskAuctionsAsync);
                }
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            var lrps = new List<LrpStartRequest>();
            var tasks = new List<TaskStartRequest>();
            while (reader.TryRead(out var item))
            {
                Add(item, lrps, tasks);
            }

            DropAtShutdown(LrpKind, lrps);
            DropAtShutdown(TaskKind, tasks);
        }
    }

    private async Task<(List<LrpStartRequest> Lrps, List<TaskStartRequest> Tasks, List<ActivityContext> Traces)> CollectBatchAsync(ChannelReader<PendingAuction> reader)
    {
        var lrps = new List<LrpStartRequest>();
        var tasks = new List<TaskStartRequest>();
        var traces = new List<ActivityContext>();
        using var window = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        window.CancelAfter(_options.BatchWindow);
        while (lrps.Count + tasks.Count < _options.MaxBatchSize)
        {
            if (reader.TryRead(out var item))
            {
                Add(item, lrps, tasks);
                traces.Add(item.Trace);
                continue;
            }

            try
            {
                if (!await reader.WaitToReadAsync(window.Token))
                {
                    break; // Stopping: flush now rather than at the end of the window.
                }
            }
            catch (OperationCanceledException) when (!_abort.IsCancellationRequested)
            {
                break; // The window closed.
            }
        }

        return (lrps, tasks, traces);
    }

    private async Task SendAsync<T>(string kind, List<T> batch, Func<IReadOnlyList<T>, CancellationToken, Task> send)
        where T : class
    {
        if (batch.Count == 0)
        {
            return;
        }

        if (_abort.IsCancellationRequested)
        {
            DropAtShutdown(kind, batch);
            return;
        }

        try
        {
            await send(batch, _abort.Token);
            _logger.AuctionsSent(kind, batch.Count);
            _metrics.Sent(kind, batch.Count);
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            DropAtShutdown(kind, batch);
        }
        catch (Exception ex)
        {
            // Anything else, a refusal or a bug alike, fails this batch only; the loop goes on with the next one.
            _logger.AuctionsFailed(ex, kind, batch.Count, Describe(batch));
            _metrics.Failed(kind, batch.Count);
        }
    }

    private void Enqueue(PendingAuction item)
    {
        if (_queue.Writer.TryWrite(item))
        {
            return;
        }

        if (_stopping)
        {
            Drop(item, Shutdown);
            return;
        }

        if (Interlocked.Increment(ref _waitingForRoom) > _options.QueueCapacity)
        {
            Interlocked.Decrement(ref _waitingForRoom);
            Drop(item, QueueFull);
            return;
        }

        _ = WaitForRoomAsync(item);
    }

    private async Task WaitForRoomAsync(PendingAuction item)
    {
        try
        {
            using var patience = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
            patience.CancelAfter(_options.QueueFullWait);
            while (await _queue.Writer.WaitToWriteAsync(patience.Token))
            {
                if (_queue.Writer.TryWrite(item))
                {
                    return;
                }
            }

            Drop(item, Shutdown);
        }
        catch (OperationCanceledException)
        {
            Drop(item, _stopping ? Shutdown : QueueFull);
        }
        finally
        {
            Interlocked.Decrement(ref _waitingForRoom);
        }
    }

    private void Drop(PendingAuction item, string reason)
    {
        var (kind, guid) = item.Lrp is { } lrp ? (LrpKind, $"{lrp.ProcessGuid} {Indices(lrp)}") : (TaskKind, item.Task!.TaskGuid);
        if (reason == Shutdown)
        {
            _logger.AuctionsDroppedAtShutdown(kind, 1, guid);
        }
        else
        {
            // One line per second at most, with the count since the last line: a full queue means overload, and a
            // line per dropped request would add to it. The counter below has every drop.
            Interlocked.Increment(ref _droppedSinceReport);
            var now = Environment.TickCount64;
            var last = Interlocked.Read(ref _lastDropReport);
            if (now - last >= DropReportIntervalMs && Interlocked.CompareExchange(ref _lastDropReport, now, last) == last)
            {
                _logger.AuctionsDroppedQueueFull(Interlocked.Exchange(ref _droppedSinceReport, 0), kind, guid);
            }
        }

        _metrics.Dropped(kind, 1, reason);
    }

    private void DropAtShutdown<T>(string kind, List<T> batch)
        where T : class
    {
        if (batch.Count == 0)
        {
            return;
        }

        _logger.AuctionsDroppedAtShutdown(kind, batch.Count, Describe(batch));
        _metrics.Dropped(kind, batch.Count, Shutdown);
    }

    private static void Add(PendingAuction item, List<LrpStartRequest> lrps, List<TaskStartRequest> tasks)
    {
        if (item.Lrp is { } lrp)
        {
            lrps.Add(lrp);
        }
        else
        {
            tasks.Add(item.Task!);
        }
    }

    /// <summary>
    /// Without an auctioneer, convergence asks for one auction per desired LRP: the requests of one batch window are
    /// reported as one line per kind, with their count and the first guids, not one line per LRP.
    /// </summary>
    private void ReportNotSent(string kind, int count, string guids)
    {
        lock (_notSentGate)
        {
            bool first = _notSent.Count == 0;
            var (total, names) = _notSent.GetValueOrDefault(kind, (0, new List<string>()));
            if (names.Count < NotSentGuidsShown)
            {
                names.Add(guids);
            }

            _notSent[kind] = (total + count, names);
            if (first)
            {
                _ = FlushNotSentAsync();
            }
        }
    }

    private async Task FlushNotSentAsync()
    {
        try
        {
            await Task.Delay(_options.BatchWindow > NotSentWindow ? _options.BatchWindow : NotSentWindow, _abort.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: report what was gathered now.
        }

        KeyValuePair<string, (int Count, List<string> Guids)>[] report;
        lock (_notSentGate)
        {
            report = [.. _notSent];
            _notSent.Clear();
        }

        foreach (var (kind, (count, guids)) in report)
        {
            string shown = string.Join(", ", guids);
            _logger.AuctionsNotSent(kind, count, guids.Count < NotSentGuidsShown ? shown : shown + ", ...");
        }
    }

    private static string Describe<T>(IReadOnlyList<T> requests)
        where T : class =>
        string.Join(", ", requests.Select(r => r switch
        {
            LrpStartRequest lrp => $"{lrp.ProcessGuid} {Indices(lrp)}",
            TaskStartRequest task => task.TaskGuid,
            _ => r.ToString(),
        }));

    private static string Indices(LrpStartRequest lrp) => $"[{string.Join(',', lrp.Indices)}]";

    /// <summary>One queued start request (exactly one of the two is set) and the trace of the request that queued it.</summary>
    private readonly record struct PendingAuction(LrpStartRequest? Lrp, TaskStartRequest? Task, ActivityContext Trace);
}
