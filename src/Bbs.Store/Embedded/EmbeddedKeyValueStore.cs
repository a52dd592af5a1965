namespace Bbs.Store.Embedded;

/// <summary>
/// An in-process <see cref="IKeyValueStore"/> with etcd v3's semantics: one global revision (1 for an empty
/// store, +1 per write transaction), per-key create/mod revisions and versions, compare-and-swap transactions,
/// leases, watches with previous values, ranges at past revisions, and compaction.
/// </summary>
/// <remarks>
/// <para>
/// It keeps everything in memory: keys, leases and the event history are lost when the process ends.
/// Use it for tests and single-node development, never where data must survive a restart.
/// </para>
/// <para>
/// Writes (transactions, lease changes, compaction) are serialized under one lock and never wait for
/// anything inside it; reads share the lock, so each read sees one consistent revision. Watchers pull from
/// the bounded event history (<see cref="EmbeddedKeyValueStoreOptions.HistoryLimit"/> revisions), so a slow
/// watcher never blocks writers or holds memory; one that falls behind the compaction point fails with
/// <see cref="StoreCompactedException"/>. Leases expire on a timer of the injected <see cref="TimeProvider"/>;
/// expiry deletes the lease's keys in one revision, exactly as revoking it does.
/// </para>
/// <para>
/// <see cref="DisposeAsync"/> stops the lease timer and ends every watch (their sequences complete); any
/// other call afterwards throws <see cref="ObjectDisposedException"/>.
/// </para>
/// </remarks>
public sealed partial class EmbeddedKeyValueStore : IKeyValueStore
{
    private readonly EmbeddedKeyValueStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);

    // The current state: keys in etcd's byte order for ranges, and their values for point reads.
    private readonly SortedSet<string> _keys = new(KeyOrder.Comparer);
    private readonly Dictionary<string, KeyValue> _kvs = new(StringComparer.Ordinal);
    private readonly RevisionHistory _history = new();

    private long _revision = 1;

    // Oldest revision that ranges and watches may still ask for; 0 until anything is compacted.
    private long _compactRevision;

    // Completed (and replaced) after each write so that caught-up watchers pull again.
    private TaskCompletionSource _changed = NewSignal();
    private bool _signalPending;
    private bool _disposed;

    public EmbeddedKeyValueStore()
        : this(new EmbeddedKeyValueStoreOptions())
    {
    }

    public EmbeddedKeyValueStore(EmbeddedKeyValueStoreOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = new EmbeddedKeyValueStoreOptions
        {
            HistoryLimit = options.HistoryLimit,
            LeaseCheckInterval = options.LeaseCheckInterval,
            MaxTxnOps = options.MaxTxnOps,
        };
        _time = timeProvider ?? TimeProvider.System;
        _leaseTimer = _time.CreateTimer(static state => ((EmbeddedKeyValueStore)state!).OnLeaseTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public Task<GetResult> GetAsync(string key, CancellationToken cancellationToken)
    {
        ValidateKey(key, nameof(key));
        cancellationToken.ThrowIfCancellationRequested();
        _lock.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            return Task.FromResult(new GetResult(_kvs.GetValueOrDefault(key), _revision));
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public Task<RangeResult> RangeAsync(string prefix, long revision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(revision);
        cancellationToken.ThrowIfCancellationRequested();

        List<KeyValue> current;
        List<RevisionEvents> later = [];
        long at;
        _lock.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            at = revision == 0 ? _revision : revision;
            ThrowIfUnavailable(at);
            current = ReadPrefix(prefix);
            if (at < _revision)
            {
                _history.CopyFrom(at + 1, int.MaxValue, later);
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }

        // History entries are immutable, so rewinding happens outside the lock.
        return Task.FromResult(new RangeResult(later.Count == 0 ? current : Rewind(current, later, prefix), at));
    }

    public Task<long> GetRevisionAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _lock.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            return Task.FromResult(_revision);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public Task CompactAsync(long revision, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(revision, 1);
        cancellationToken.ThrowIfCancellationRequested();
        _lock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            if (revision > _revision)
            {
                throw new StoreFutureRevisionException(revision, _revision);
            }

            if (revision <= _compactRevision)
            {
                throw new StoreCompactedException(_compactRevision);
            }

            CompactLocked(revision);
        }
        finally
        {
            ExitWriteLock();
        }

        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        TaskCompletionSource changed;
        _lock.EnterWriteLock();
        try
        {
            if (_disposed)
            {
                return ValueTask.CompletedTask;
            }

            _disposed = true;
            changed = _changed;
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        _leaseTimer.Dispose();
        changed.TrySetResult();
        return ValueTask.CompletedTask;
    }

    /// <summary>Reverses, newest first, the changes made after the wanted revision to keys under the prefix.</summary>
    private static List<KeyValue> Rewind(List<KeyValue> current, List<RevisionEvents> later, string prefix)
    {
        var state = new Dictionary<string, KeyValue>(current.Count, StringComparer.Ordinal);
        foreach (var kv in current)
        {
            state[kv.Key] = kv;
        }

        for (var i = later.Count - 1; i >= 0; i--)
        {
            var events = later[i].Events;
            for (var j = events.Count - 1; j >= 0; j--)
            {
                var change = events[j];
                if (!change.Kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                if (change.PrevKv is null)
                {
                    state.Remove(change.Kv.Key);
                }
                else
                {
                    state[change.Kv.Key] = change.PrevKv;
                }
            }
        }

        var kvs = state.Values.ToList();
        kvs.Sort((a, b) => KeyOrder.Comparer.Compare(a.Key, b.Key));
        return kvs;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static void ValidateKey(string key, string paramName)
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        if (key.Length == 0)
        {
            throw new ArgumentException("key is not provided", paramName);
        }
    }

    private List<KeyValue> ReadPrefix(string prefix)
    {
        var kvs = new List<KeyValue>();
        foreach (var key in KeyOrder.WithPrefix(_keys, prefix))
        {
            kvs.Add(_kvs[key]);
        }

        return kvs;
    }

    private void ThrowIfUnavailable(long revision)
    {
        if (revision > _revision)
        {
            throw new StoreFutureRevisionException(revision, _revision);
        }

        if (revision < _compactRevision)
        {
            throw new StoreCompactedException(_compactRevision);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Makes a write revision's changes current history. Call under the write lock.</summary>
    private void Commit(List<WatchEvent> events)
    {
        _revision++;
        _history.Append(new RevisionEvents(_revision, events.AsReadOnly()));
        var floor = _revision - _options.HistoryLimit + 1;
        if (floor > _compactRevision)
        {
            CompactLocked(floor);
        }

        _signalPending = true;
    }

    private void CompactLocked(long revision)
    {
        _compactRevision = revision;
        _history.DropBefore(revision);
    }

    /// <summary>
    /// Leaves the write lock, first waking the watchers if anything was written. Done on every exit, also when an
    /// operation throws after a lease expiry committed. Continuations run asynchronously, so none runs under the lock.
    /// </summary>
    private void ExitWriteLock()
    {
        if (_signalPending)
        {
            var fired = _changed;
            _changed = NewSignal();
            _signalPending = false;
            fired.TrySetResult();
        }

        _lock.ExitWriteLock();
    }
}
