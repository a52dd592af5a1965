using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bbs.Store.View;

/// <summary>
/// An in-memory copy of every key under one prefix of an <see cref="IKeyValueStore"/>, fed by the store's watch,
/// that serves consistent reads without a range per read (Kubernetes' "consistent reads from cache", KEP-2340).
/// </summary>
/// <remarks>
/// <para>
/// Loading: one range of the prefix at a revision R, then a watch from R+1. The watch covers the whole keyspace,
/// not only the prefix: every revision of the store has at least one event somewhere, so the view's
/// <see cref="Revision"/> reaches any revision the store reports, which is what makes the fence below possible
/// (etcd 3.4's progress requests give no such guarantee). Keys outside the prefix only advance the revision.
/// </para>
/// <para>
/// Reads: <see cref="ReadAsync"/> learns the store's current revision (one cheap, linearizable call, shared by
/// concurrent readers), waits until
/// the view has applied it, and answers from the snapshot of that moment: a read never returns older state than
/// a write acknowledged before it started, on any instance. Each <see cref="ViewSnapshot"/> is immutable and
/// whole at one revision, so a list during a burst of writes is consistent. <see cref="Current"/> is the latest
/// snapshot without the fence, for guarded writes (the guard rejects a stale revision).
/// </para>
/// <para>
/// Failures: when the watch cannot resume (its revision was compacted), the view loads again, and readers wait
/// for the new snapshot instead of being served stale data. A read that cannot be fenced within
/// <see cref="ReadTimeout"/> throws <see cref="StoreUnavailableException"/>.
/// </para>
/// </remarks>
public sealed partial class KeyValueView : IAsyncDisposable
{
    private readonly IKeyValueStore store;
    private readonly string prefix;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private readonly Coalescer<long> fence = new();
    private ViewSnapshot? current;
    private TaskCompletionSource applied = NewSignal();

    // Set when a reader's revision call succeeded while the view was behind: the store answers again, so a load
    // loop pausing after a failure tries at once instead of waiting out its backoff.
    private TaskCompletionSource storeAnswered = NewSignal();
    private Task? follower;
    private int disposed;
    private long failedAttempts;

    private readonly Func<KeyValue, object?>? projector;
    private ImmutableArray<IViewListener> listeners = [];

    /// <param name="store">The store to follow.</param>
    /// <param name="prefix">The keys to hold.</param>
    /// <param name="logger">Loads, reloads and failures.</param>
    /// <param name="projector">
    /// Runs once per key and value as the view applies it (on the view's one loop), and its result is kept with the
    /// key (<see cref="ViewEntry.Projection"/>): decoded fields for filters, bytes ready for a response. It must not
    /// throw; null means nothing to keep.
    /// </param>
    public KeyValueView(IKeyValueStore store, string prefix, ILogger? logger = null, Func<KeyValue, object?>? projector = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(prefix);
        this.store = store;
        this.prefix = prefix;
        this.logger = logger ?? NullLogger.Instance;
        this.projector = projector;
    }

    /// <summary>How long a read waits for the view to load or to catch up with the store.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The pauses between attempts to load while the store fails: exponential with jitter, from the first failure
    /// after a success. The failure is logged when it begins and the recovery when it ends, not each attempt.
    /// </summary>
    public Bbs.Etcd.ReconnectBackoff Backoff { get; init; } = Bbs.Etcd.ReconnectBackoff.Default;

    /// <summary>Attempts to load (or follow) the store that failed since the view started: for tests and diagnostics.</summary>
    public long FailedAttempts => Interlocked.Read(ref failedAttempts);

    /// <summary>True once the first load completed (and while a reload is under way after that).</summary>
    public bool IsLoaded => Volatile.Read(ref current) is not null;

    /// <summary>The revision the view has applied; 0 before the first load.</summary>
    public long Revision => Volatile.Read(ref current)?.Revision ?? 0;

    /// <summary>The latest snapshot, without waiting for the store: for writes whose guard checks what they read. Null before the first load.</summary>
    public ViewSnapshot? Current => Volatile.Read(ref current);

    /// <summary>How many times the view was loaded (1 after start; more after compactions under its watch).</summary>
    public int Loads { get; private set; }

    /// <summary>
    /// Adds a listener that is told of every load and every applied change, on the view's loop, in revision order
    /// (see <see cref="IViewListener"/>). Listeners must be added before <see cref="Start"/>, so none misses the
    /// first load.
    /// </summary>
    public void AddListener(IViewListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (gate)
        {
            if (follower is not null)
            {
                throw new InvalidOperationException("listeners must be added before the view starts");
            }

            listeners = listeners.Add(listener);
        }
    }

    /// <summary>Starts loading and following the store in the background; reads wait until the first load is done.</summary>
    public void Start()
    {
        lock (gate)
        {
            follower ??= Task.Run(() => FollowAsync(stopping.Token));
        }
    }

    /// <summary>
    /// A snapshot at least as new as the store's revision when this call started: every write acknowledged
    /// before it is in it.
    /// </summary>
    /// <remarks>
    /// Concurrent readers share the revision call: one that arrives while a call is under way waits for the one
    /// queued after it (which starts after its own arrival, as the guarantee needs), so however many readers there
    /// are, at most two revision calls are in flight or queued.
    /// </remarks>
    public async Task<ViewSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        long target = await fence.RunAsync(() => store.GetRevisionAsync(stopping.Token), cancellationToken).ConfigureAwait(false);
        lock (gate)
        {
            if (current is not { } snapshot || snapshot.Revision < target)
            {
                storeAnswered.TrySetResult();
            }
        }

        return await WaitForAsync(target, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A snapshot at <paramref name="revision"/> or later, once the view has applied it.</summary>
    public async Task<ViewSnapshot> WaitForAsync(long revision, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadTimeout);
        try
        {
            while (true)
            {
                Task signal;
                lock (gate)
                {
                    if (current is { } snapshot && snapshot.Revision >= revision)
                    {
                        return snapshot;
                    }

                    signal = applied.Task;
                }

                await signal.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StoreUnavailableException(
                IsLoaded
                    ? $"the store view did not catch up with revision {revision} within {ReadTimeout} (it is at {Revision})"
                    : $"the store view was not loaded within {ReadTimeout}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        Task? running;
        lock (gate)
        {
            running = follower;
        }

        if (running is not null)
        {
            await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        stopping.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        var outage = new Bbs.Etcd.Outage(Backoff);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var loaded = await LoadAsync(cancellationToken).ConfigureAwait(false);
                if (outage.Recovered(out var down, out long attempts))
                {
                    LogRecovered(logger, down, attempts);
                }

                await WatchAsync(loaded, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (StoreCompactedException ex)
            {
                // Changes were lost from the watch's point of view: load a fresh snapshot. Readers keep waiting for
                // a revision the old snapshot never reaches, so nothing stale is served meanwhile.
                LogReloading(logger, ex.Message);
            }
            catch (Exception ex) when (ex is StoreException or ObjectDisposedException)
            {
                Interlocked.Increment(ref failedAttempts);
                var attempt = outage.Failed();
                switch (attempt.Report)
                {
                    case Bbs.Etcd.OutageReport.Began:
                        LogFailed(logger, ex.Message, Backoff.MaxDelay);
                        break;
                    case Bbs.Etcd.OutageReport.StillDown:
                        LogStillFailing(logger, attempt.Down, attempt.Attempts, ex.Message);
                        break;
                }

                Task answered;
                lock (gate)
                {
                    if (storeAnswered.Task.IsCompleted)
                    {
                        storeAnswered = NewSignal();
                    }

                    answered = storeAnswered.Task;
                }

                // The pause ends early when a reader finds the store answering (see storeAnswered).
                using var pause = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                await Task.WhenAny(Task.Delay(attempt.Pause, pause.Token), answered).ConfigureAwait(false);
                await pause.CancelAsync().ConfigureAwait(false);
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    private async Task<ViewSnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        var range = await store.RangeAsync(prefix, 0, cancellationToken).ConfigureAwait(false);
        var builder = ImmutableList.CreateBuilder<ViewEntry>();
        foreach (var kv in range.Kvs)
        {
            builder.Add(Entry(kv));
        }

        // etcd orders keys by their bytes; the snapshot searches in ordinal string order (the same for ASCII keys).
        builder.Sort(ViewSnapshot.KeyOrder);
        var snapshot = new ViewSnapshot(builder.ToImmutable(), range.Revision);
        Loads++;
        Publish(snapshot);
        LogLoaded(logger, range.Kvs.Count, prefix, range.Revision);
        foreach (var listener in listeners)
        {
            await Tell(listener, l => l.LoadedAsync(snapshot, cancellationToken)).ConfigureAwait(false);
        }

        return snapshot;
    }

    private async Task WatchAsync(ViewSnapshot from, CancellationToken cancellationToken)
    {
        var snapshot = from;
        var told = listeners;
        await foreach (var batch in store.WatchAsync(string.Empty, from.Revision + 1, cancellationToken).ConfigureAwait(false))
        {
            var items = snapshot.Items;
            List<ViewChange>? changes = told.IsEmpty ? null : [];
            foreach (var change in batch.Events)
            {
                if (!change.Kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                ViewEntry? before, after = null;
                if (change.Type == WatchEventType.Put)
                {
                    after = Entry(change.Kv);
                    items = ViewSnapshot.Put(items, after, out before);
                }
                else
                {
                    items = ViewSnapshot.Delete(items, change.Kv.Key, out before);
                }

                changes?.Add(new ViewChange(change.Type, change.Kv.Key, change.Kv.ModRevision, before, after));
            }

            // A batch holds whole revisions; a progress batch (no events) moves the revision alone.
            long revision = batch.Events.Count > 0 ? batch.Events[^1].Kv.ModRevision : batch.Revision;
            if (revision > snapshot.Revision)
            {
                snapshot = new ViewSnapshot(items, revision);
                Publish(snapshot);
            }

            if (changes is { Count: > 0 })
            {
                foreach (var listener in told)
                {
                    var published = snapshot;
                    await Tell(listener, l => l.AppliedAsync(published, changes, cancellationToken)).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>A listener that fails is logged; the view goes on (the listener owns its own recovery).</summary>
    private async Task Tell(IViewListener listener, Func<IViewListener, ValueTask> call)
    {
        try
        {
            await call(listener).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogListenerFailed(logger, listener.GetType().Name, ex);
        }
    }

    /// <summary>
    /// The view keeps its own copy of each value, so it does not hold whole watch or range responses alive, and the
    /// projector's result.
    /// </summary>
    private ViewEntry Entry(KeyValue kv)
    {
        var owned = kv with { Value = kv.Value.ToArray() };
        return new ViewEntry(owned, projector?.Invoke(owned));
    }

    private void Publish(ViewSnapshot snapshot)
    {
        TaskCompletionSource signal;
        lock (gate)
        {
            current = snapshot;
            signal = applied;
            applied = NewSignal();
        }

        signal.TrySetResult();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "store view loaded: {Count} keys under {Prefix} at revision {Revision}")]
    private static partial void LogLoaded(ILogger logger, int count, string prefix, long revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "store view reloading: its watch cannot resume ({Reason})")]
    private static partial void LogReloading(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "store view listener {Listener} failed")]
    private static partial void LogListenerFailed(ILogger logger, string listener, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "store view: the store failed ({Reason}); retrying, backing off up to {MaxDelay}")]
    private static partial void LogFailed(ILogger logger, string reason, TimeSpan maxDelay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "store view: the store still fails after {Down} ({Attempts} failed attempts; last: {Reason})")]
    private static partial void LogStillFailing(ILogger logger, TimeSpan down, long attempts, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "store view: loaded again after {Down} of store failures ({Attempts} failed attempts)")]
    private static partial void LogRecovered(ILogger logger, TimeSpan down, long attempts);
}
