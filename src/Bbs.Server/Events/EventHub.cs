using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Bbs.Db;
using Bbs.Db.Format;
using Bbs.Models;
using Bbs.Store;
using Microsoft.Extensions.Options;

namespace Bbs.Server.Events;

/// <summary>
/// The one store watch of this server process (on <c>/v1/</c>, with previous values) and its fan-out.
/// Each revision's changes become <see cref="BbsEvent"/>s once; every subscriber gets the ones its stream and
/// cell filter want through its own bounded buffer, and a subscriber whose buffer is full is disconnected (and
/// counted) so it never slows the others. The last <see cref="EventOptions.ReplayCapacity"/> events stay in a
/// ring so reconnecting clients resume from memory; older resume points are read from the store's history.
/// </summary>
public sealed partial class EventHub : BackgroundService
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
        slowConsumers = meter.CreateCounter<long>("EventSubscribersDropped", description: "subscribers disconnected because their buffer was full");
        published = meter.CreateCounter<long>("EventsPublished");
        meter.CreateObservableGauge("EventSubscribers", () => { lock (gate) { return (long)subscribers.Count; } });
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

    /// <summary>Maps history from the store for a resuming subscriber, exactly as the live watch did.</summary>
    internal IAsyncEnumerable<WatchBatch> HistoryAsync(long fromRevision, CancellationToken cancellationToken) =>
        store.WatchAsync(Prefix, fromRevision, cancellationToken);

    internal Task<IReadOnlyList<BbsEvent>> MapAsync(long revision, IReadOnlyList<WatchEvent> changes, CancellationToken cancellationToken) =>
        mapper.MapAsync(revision, changes, ReadRunInfoAsync, cancellationToken);

    internal void Unsubscribe(Subscription subscription)
    {
        lock (gate)
        {
            subscribers.Remove(subscription);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var from = await BeginAsync(stoppingToken).ConfigureAwait(false);
                try
                {
                    await PumpAsync(from, stoppingToken).ConfigureAwait(false);
                }
                catch (StoreCompactedException ex)
                {
                    // The hub fell behind the store's history: what it missed cannot be told to anyone. Every
                    // subscriber is disconnected; on reconnect its resume point predates the restart, so it is
                    // told (from history, or with the `compacted` event) and re-lists.
                    LogHubCompacted(logger, ex.CompactRevision);
                    DisconnectAll();
                }
                catch (StoreException ex)
                {
                    LogWatchFailed(logger, ex);
                    await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            lock (gate)
            {
                stopped = true;
            }

            DisconnectAll();
        }
    }

    /// <summary>(Re)starts at the store's current revision; the ring then covers only what comes after.</summary>
    private async Task<long> BeginAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var revision = await store.GetRevisionAsync(cancellationToken).ConfigureAwait(false);
                lock (gate)
                {
                    ring.Clear();
                    evictedUpTo = new EventPosition(revision, int.MaxValue);
                }

                started.TrySetResult();
                LogStarted(logger, revision);
                return revision + 1;
            }
            catch (StoreException ex)
            {
                LogWatchFailed(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task PumpAsync(long fromRevision, CancellationToken cancellationToken)
    {
        var next = fromRevision;
        while (true)
        {
            try
            {
                await foreach (var batch in store.WatchAsync(Prefix, next, cancellationToken).ConfigureAwait(false))
                {
                    foreach (var revision in batch.Events.GroupBy(e => e.Kv.ModRevision))
                    {
                        Publish(await MapAsync(revision.Key, [.. revision], cancellationToken).ConfigureAwait(false));
                        next = revision.Key + 1;
                    }
                }
            }
            catch (StoreUnavailableException ex)
            {
                // The store's watch retries inside; this is a failure it gave up on. Resume after what was published.
                LogWatchFailed(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
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
            slowConsumers.Add(1);
            LogSlowConsumer(logger, subscriber.Stream.ToString(), options.SubscriberBuffer);
            subscriber.Drop();
        }
    }

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

        var kv = range.Kvs.FirstOrDefault(k => k.Key == key);
        if (kv is null)
        {
            return null;
        }

        try
        {
            return serializer.Deserialize<DesiredLRPRunInfo>(kv.Value.Span);
        }
        catch (RecordFormatException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "event hub watching the store from revision {Revision}")]
    private static partial void LogStarted(ILogger logger, long revision);

    [LoggerMessage(Level = LogLevel.Error, Message = "event hub fell behind the store's history (compacted at {CompactRevision}): all subscribers disconnected")]
    private static partial void LogHubCompacted(ILogger logger, long compactRevision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "event hub watch failed; retrying")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception);

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
