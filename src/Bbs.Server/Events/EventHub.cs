using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Bbs.Db;
using Bbs.Db.Format;
using Bbs.Models;
using Bbs.Store;
using Bbs.Store.View;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace Bbs.Server.Events;

/// <summary>
/// The fan-out of BBS events. It follows the process's store view (<see cref="KeyValueView"/>), whose one watch
/// also feeds every read, so each change is read from the store and decrypted once: each revision's changes become
/// <see cref="BbsEvent"/>s once, and every subscriber gets the ones its stream and cell filter want through its
/// own bounded buffer. A subscriber whose buffer is full is disconnected (and counted) so it never slows the
/// others. The last <see cref="EventOptions.ReplayCapacity"/> events stay in a ring so reconnecting clients resume
/// from memory; older resume points are read from the store's history.
/// </summary>
public sealed partial class EventHub : BackgroundService, IViewListener
{
    private const string Prefix = Keys.Root;

    private readonly IKeyValueStore store;
    private readonly EventMapper mapper;
    private readonly RecordSerializer serializer;
    private readonly EventOptions options;
    private readonly ILogger<EventHub> logger;
    private readonly Lock gate = new();
    private readonly List<Subscription> subscribers = [];
    private readonly Queue<BbsEvent> ring = new();
    private readonly TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Counter<long> slowConsumers;
    private readonly Counter<long> published;
    private EventPosition evictedUpTo;
    private bool loaded;
    private bool stopped;

    public EventHub(IKeyValueStore store, EventMapper mapper, RecordSerializer serializer, IOptions<EventOptions> options, IMeterFactory meters, ILogger<EventHub> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meters);
        this.store = store;
        this.mapper = mapper;
        this.serializer = serializer;
        this.options = options.Value;
        this.logger = logger;
        var meter = meters.Create(Convergence.ConvergenceMetrics.MeterName);
        slowConsumers = meter.CreateCounter<long>("bbs_event_subscribers_dropped", description: "subscribers disconnected because their buffer was full, by stream");
        published = meter.CreateCounter<long>("bbs_events_published", description: "events the hub published (each once, however many subscribers)");
        foreach (var stream in (EventStreams[])[EventStreams.Lrps, EventStreams.LrpInstances, EventStreams.Tasks])
        {
            slowConsumers.Add(0, new KeyValuePair<string, object?>("stream", StreamLabel(stream)));
        }

        meter.CreateObservableGauge("bbs_event_subscribers", SubscribersByStream, description: "open event subscriptions, by stream (lrps, lrp_instances, tasks)");
    }

    private int openSubscriptions;

    /// <summary>Current subscribers (streams and internal feeds).</summary>
    public int SubscriberCount
    {
        get
        {
            lock (gate)
            {
                return subscribers.Count;
            }
        }
    }

    /// <summary>Subscribers disconnected as slow consumers since start.</summary>
    public long DroppedSubscribers { get; private set; }

    /// <summary>
    /// Subscriptions not yet disposed: a dropped subscriber still counts until its stream has ended, so this shows
    /// whether streams the hub gave up on really let go of their connections.
    /// </summary>
    public int OpenSubscriptions => Volatile.Read(ref openSubscriptions);

    /// <summary>
    /// Subscribes to <paramref name="stream"/> filtered on <paramref name="cellId"/> (empty: no filter). With
    /// <paramref name="resumeAfter"/>, the subscription first replays what came after that position: the
    /// returned plan says what must be read from the store's history and what from memory.
    /// </summary>
    public async Task<Subscription> SubscribeAsync(EventStreams stream, string cellId, EventPosition? resumeAfter, CancellationToken cancellationToken)
    {
        await started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var subscription = new Subscription(this, stream, cellId, options.SubscriberBuffer);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(stopped, this);
            if (resumeAfter is { } after)
            {
                subscription.Replay = [.. ring.Where(e => e.Position > after && e.IsFor(stream, cellId))];
                subscription.HistoryFrom = after < evictedUpTo ? after : null;
                subscription.HistoryUpTo = evictedUpTo;
            }

            subscribers.Add(subscription);
        }

        Interlocked.Increment(ref openSubscriptions);
        return subscription;
    }

    /// <summary>Reads history from the store for a resuming subscriber (map it with <see cref="MapHistoryAsync"/>).</summary>
    internal IAsyncEnumerable<WatchBatch> HistoryAsync(long fromRevision, CancellationToken cancellationToken) =>
        store.WatchAsync(Prefix, fromRevision, cancellationToken);

    /// <summary>Maps one revision of history exactly as the live feed mapped it, so positions match.</summary>
    internal Task<IReadOnlyList<BbsEvent>> MapHistoryAsync(long revision, IEnumerable<WatchEvent> changes, CancellationToken cancellationToken) =>
        mapper.MapAsync(revision, EventMapper.FromWatch(changes), ReadRunInfoAsync, cancellationToken);

    internal void Unsubscribe(Subscription subscription)
    {
        lock (gate)
        {
            subscribers.Remove(subscription);
        }
    }

    /// <summary>
    /// The view loaded. The first time, the ring starts empty at its revision. Again later means the view's watch
    /// could not resume: what changed meanwhile cannot be told to anyone, so every subscriber is disconnected; on
    /// reconnect its resume point predates the reload, so it is told (from history, or with
    /// <c>resync_required</c>) and re-lists.
    /// </summary>
    ValueTask IViewListener.LoadedAsync(ViewSnapshot snapshot, CancellationToken cancellationToken)
    {
        bool reloaded;
        lock (gate)
        {
            reloaded = loaded;
            loaded = true;
            ring.Clear();
            evictedUpTo = new EventPosition(snapshot.Revision, int.MaxValue);
        }

        if (reloaded)
        {
            LogHubReloaded(logger, snapshot.Revision);
            DisconnectAll();
        }
        else
        {
            LogStarted(logger, snapshot.Revision);
        }

        started.TrySetResult();
        return ValueTask.CompletedTask;
    }

    async ValueTask IViewListener.AppliedAsync(ViewSnapshot snapshot, IReadOnlyList<ViewChange> changes, CancellationToken cancellationToken)
    {
        // A run info a scheduling-info change did not carry is read from the snapshot that holds the change.
        Task<DesiredLRPRunInfo?> RunInfoIn(string processGuid, long revision, CancellationToken token) =>
            Task.FromResult(snapshot.Get(Keys.RunInfo(processGuid)) is { } kv ? TryDecode<DesiredLRPRunInfo>(kv) : null);

        int first = 0;
        for (int i = 1; i <= changes.Count; i++)
        {
            if (i == changes.Count || changes[i].Revision != changes[first].Revision)
            {
                var revision = changes.Count == i - first ? changes : [.. changes.Skip(first).Take(i - first)];
                Publish(await mapper.MapAsync(changes[first].Revision, revision, RunInfoIn, cancellationToken).ConfigureAwait(false));
                first = i;
            }
        }
    }

    /// <summary>
    /// Ends every subscription and refuses new ones: each stream ends cleanly after what its buffer holds, so its
    /// client resumes on another instance with <c>Last-Event-ID</c>. Called when the server begins to stop
    /// (ApplicationStopping), before Kestrel drains requests, which would otherwise wait the whole shutdown timeout
    /// for streams that never end by themselves.
    /// </summary>
    public void Stop()
    {
        lock (gate)
        {
            stopped = true;
        }

        DisconnectAll();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Stop();
        }
    }

    private void Publish(IReadOnlyList<BbsEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        List<Subscription>? slow = null;
        lock (gate)
        {
            if (stopped)
            {
                return;
            }

            foreach (var e in events)
            {
                if (options.ReplayCapacity > 0)
                {
                    ring.Enqueue(e);
                }

                evictedUpTo = options.ReplayCapacity > 0 ? evictedUpTo : e.Position;
                while (ring.Count > options.ReplayCapacity)
                {
                    evictedUpTo = ring.Dequeue().Position;
                }

                foreach (var subscriber in subscribers)
                {
                    if (e.IsFor(subscriber.Stream, subscriber.CellId) && !subscriber.Writer.TryWrite(e))
                    {
                        (slow ??= []).Add(subscriber);
                    }
                }

                if (slow is not null)
                {
                    foreach (var subscriber in slow)
                    {
                        subscribers.Remove(subscriber);
                    }
                }
            }
        }

        published.Add(events.Count);
        foreach (var subscriber in slow ?? [])
        {
            DroppedSubscribers++;
            slowConsumers.Add(1, new KeyValuePair<string, object?>("stream", StreamLabel(subscriber.Stream)));
            LogSlowConsumer(logger, subscriber.Stream.ToString(), options.SubscriberBuffer);
            subscriber.Drop();
        }
    }

    private IEnumerable<Measurement<long>> SubscribersByStream()
    {
        long lrps = 0, instances = 0, tasks = 0;
        lock (gate)
        {
            foreach (var subscriber in subscribers)
            {
                switch (subscriber.Stream)
                {
                    case EventStreams.Lrps: lrps++; break;
                    case EventStreams.LrpInstances: instances++; break;
                    default: tasks++; break;
                }
            }
        }

        return
        [
            new(lrps, new KeyValuePair<string, object?>("stream", StreamLabel(EventStreams.Lrps))),
            new(instances, new KeyValuePair<string, object?>("stream", StreamLabel(EventStreams.LrpInstances))),
            new(tasks, new KeyValuePair<string, object?>("stream", StreamLabel(EventStreams.Tasks))),
        ];
    }

    private static string StreamLabel(EventStreams stream) => stream switch
    {
        EventStreams.Lrps => "lrps",
        EventStreams.LrpInstances => "lrp_instances",
        _ => "tasks",
    };

    private void DisconnectAll()
    {
        List<Subscription> all;
        lock (gate)
        {
            all = [.. subscribers];
            subscribers.Clear();
        }

        foreach (var subscriber in all)
        {
            subscriber.Writer.TryComplete();
        }
    }

    private T? TryDecode<T>(KeyValue kv)
        where T : class, IMessage<T>, new()
    {
        try
        {
            return serializer.Deserialize<T>(kv.Value.Span);
        }
        catch (Exception ex) when (ex is RecordFormatException or InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private async Task<DesiredLRPRunInfo?> ReadRunInfoAsync(string processGuid, long revision, CancellationToken cancellationToken)
    {
        var key = Keys.RunInfo(processGuid);
        RangeResult range;
        try
        {
            range = await store.RangeAsync(key, revision, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreCompactedException)
        {
            // History at that revision is gone (a replay then ends in resync_required anyway): the current one will do.
            range = await store.RangeAsync(key, 0, cancellationToken).ConfigureAwait(false);
        }

        return range.Kvs.FirstOrDefault(k => k.Key == key) is { } kv ? TryDecode<DesiredLRPRunInfo>(kv) : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "event hub following the store view from revision {Revision}")]
    private static partial void LogStarted(ILogger logger, long revision);

    [LoggerMessage(Level = LogLevel.Error, Message = "event hub: the store view reloaded at revision {Revision} (its watch could not resume): all subscribers disconnected")]
    private static partial void LogHubReloaded(ILogger logger, long revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "disconnected a slow {Stream} subscriber: {Buffer} events behind")]
    private static partial void LogSlowConsumer(ILogger logger, string stream, int buffer);

    /// <summary>A subscriber's buffer and what it must replay first. Dispose to unsubscribe.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly EventHub hub;
        private readonly Channel<BbsEvent> channel;
        private readonly CancellationTokenSource dropped = new();
        private int disposed;

        internal Subscription(EventHub hub, EventStreams stream, string cellId, int capacity)
        {
            this.hub = hub;
            Stream = stream;
            CellId = cellId;
            channel = Channel.CreateBounded<BbsEvent>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        }

        public EventStreams Stream { get; }

        public string CellId { get; }

        /// <summary>When set, events after this position up to <see cref="HistoryUpTo"/> must be read from the store's history.</summary>
        public EventPosition? HistoryFrom { get; internal set; }

        public EventPosition HistoryUpTo { get; internal set; }

        /// <summary>Events from memory to replay (after the history, before the live ones).</summary>
        public IReadOnlyList<BbsEvent> Replay { get; internal set; } = [];

        /// <summary>Live events; completes with <see cref="SlowConsumerException"/> when the subscriber fell too far behind.</summary>
        public ChannelReader<BbsEvent> Live => channel.Reader;

        internal ChannelWriter<BbsEvent> Writer => channel.Writer;

        internal EventHub Hub => hub;

        /// <summary>
        /// Cancelled when the hub drops this subscriber: its stream must end at once, even while a write to a
        /// client that stopped reading is pending, so the connection and its buffers are released.
        /// </summary>
        public CancellationToken Dropped => dropped.Token;

        internal void Drop()
        {
            channel.Writer.TryComplete(new SlowConsumerException());
            try
            {
                // Callbacks (aborting the connection) run on the thread pool, not on the hub's fan-out.
                _ = dropped.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
                // The stream already ended.
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) != 0)
            {
                return;
            }

            hub.Unsubscribe(this);
            channel.Writer.TryComplete();
            Interlocked.Decrement(ref hub.openSubscriptions);
            dropped.Dispose();
        }
    }
}

/// <summary>A subscriber fell further behind than its buffer allows and was disconnected.</summary>
public sealed class SlowConsumerException : Exception
{
    public SlowConsumerException()
        : base("the subscriber fell too far behind and was disconnected")
    {
    }

    public SlowConsumerException(string message)
        : base(message)
    {
    }

    public SlowConsumerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
