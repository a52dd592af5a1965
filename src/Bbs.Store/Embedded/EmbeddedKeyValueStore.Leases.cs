namespace Bbs.Store.Embedded;

public sealed partial class EmbeddedKeyValueStore
{
    /// <summary>etcd's MaxLeaseTTL: larger TTLs are refused ("too large lease TTL").</summary>
    private const long MaxLeaseTtlSeconds = 9_000_000_000;

    private readonly Dictionary<long, LeaseEntry> _leases = [];

    // Deadlines of live leases, earliest first. Renewing a lease adds an entry rather than moving one;
    // entries whose lease is gone or has a later deadline are stale and skipped.
    private readonly PriorityQueue<long, DateTimeOffset> _deadlines = new();
    private readonly ITimer _leaseTimer;
    private DateTimeOffset _timerDue = DateTimeOffset.MaxValue;
    private DateTimeOffset _lastTimerRun = DateTimeOffset.MinValue;
    private long _lastLeaseId;

    public Task<long> GrantLeaseAsync(long ttlSeconds, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ttlSeconds, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ttlSeconds, MaxLeaseTtlSeconds);
        cancellationToken.ThrowIfCancellationRequested();
        _lock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            var lease = new LeaseEntry(++_lastLeaseId, ttlSeconds) { Deadline = _time.GetUtcNow().AddSeconds(ttlSeconds) };
            _leases.Add(lease.Id, lease);
            _deadlines.Enqueue(lease.Id, lease.Deadline);
            ArmLeaseTimer();
            return Task.FromResult(lease.Id);
        }
        finally
        {
            ExitWriteLock();
        }
    }

    public Task<bool> RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(WithLeases(() =>
        {
            if (!_leases.TryGetValue(leaseId, out var lease))
            {
                return false;
            }

            Revoke(lease);
            return true;
        }));
    }

    public Task<long> KeepAliveOnceAsync(long leaseId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(WithLeases(() =>
        {
            if (!_leases.TryGetValue(leaseId, out var lease))
            {
                return 0L;
            }

            lease.Deadline = _time.GetUtcNow().AddSeconds(lease.Ttl);
            _deadlines.Enqueue(lease.Id, lease.Deadline);
            return lease.Ttl;
        }));
    }

    public Task<long> TimeToLiveAsync(long leaseId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(WithLeases(() =>
            _leases.TryGetValue(leaseId, out var lease)
                ? (long)Math.Floor((lease.Deadline - _time.GetUtcNow()).TotalSeconds)
                : -1L));
    }

    /// <summary>
    /// Runs a lease operation under the write lock, after revoking every lease whose deadline has passed,
    /// so that no answer depends on how late the timer runs.
    /// </summary>
    private T WithLeases<T>(Func<T> operation)
    {
        _lock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            ExpireDueLeases();
            var result = operation();
            ArmLeaseTimer();
            return result;
        }
        finally
        {
            ExitWriteLock();
        }
    }

    private void OnLeaseTimer()
    {
        _lock.EnterWriteLock();
        try
        {
            if (_disposed)
            {
                return;
            }

            _lastTimerRun = _time.GetUtcNow();
            _timerDue = DateTimeOffset.MaxValue;
            ExpireDueLeases();
            ArmLeaseTimer();
        }
        finally
        {
            ExitWriteLock();
        }
    }

    /// <summary>Revokes, each in its own revision as etcd does, every lease whose deadline has passed. Call under the write lock.</summary>
    private void ExpireDueLeases()
    {
        if (_deadlines.Count == 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        while (_deadlines.TryPeek(out var id, out var deadline) && deadline <= now)
        {
            _deadlines.Dequeue();
            if (_leases.TryGetValue(id, out var lease) && lease.Deadline <= now)
            {
                Revoke(lease);
            }
        }
    }

    /// <summary>Forgets the lease and deletes its keys, in key order, in one revision (none if it had no keys).</summary>
    private void Revoke(LeaseEntry lease)
    {
        _leases.Remove(lease.Id);
        if (lease.Keys.Count == 0)
        {
            return;
        }

        var keys = lease.Keys.ToArray();
        Array.Sort(keys, KeyOrder.Comparer);
        var revision = _revision + 1;
        var events = new List<WatchEvent>(keys.Length);
        foreach (var key in keys)
        {
            Delete(key, revision, events);
        }

        Commit(events);
    }

    /// <summary>Points the timer at the earliest live deadline, no sooner than one check interval after its last run.</summary>
    private void ArmLeaseTimer()
    {
        while (_deadlines.TryPeek(out var id, out var deadline)
            && !(_leases.TryGetValue(id, out var lease) && lease.Deadline == deadline))
        {
            _deadlines.Dequeue();
        }

        if (!_deadlines.TryPeek(out _, out var next))
        {
            if (_timerDue != DateTimeOffset.MaxValue)
            {
                _leaseTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _timerDue = DateTimeOffset.MaxValue;
            }

            return;
        }

        var earliest = _lastTimerRun == DateTimeOffset.MinValue ? next : _lastTimerRun + _options.LeaseCheckInterval;
        var due = next > earliest ? next : earliest;
        if (due != _timerDue)
        {
            var delay = due - _time.GetUtcNow();
            _leaseTimer.Change(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            _timerDue = due;
        }
    }

    private sealed class LeaseEntry(long id, long ttl)
    {
        public long Id { get; } = id;

        public long Ttl { get; } = ttl;

        public DateTimeOffset Deadline { get; set; }

        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
    }
}
