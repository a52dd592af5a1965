using Etcdserverpb;
using Microsoft.Extensions.Logging;

namespace Bbs.Etcd.Streams;

/// <summary>
/// Renews every kept-alive lease of a client over one <c>Lease.LeaseKeepAlive</c> stream (the generated
/// <see cref="Lease.LeaseClient"/>): each
/// lease is renewed every TTL/3 (re-sent every half second until answered), and declared lost when etcd answers
/// TTL 0 or when no renewal was confirmed before the lease's last known expiry.
/// </summary>
internal sealed class LeaseKeeper(Lease.LeaseClient client, EtcdAuth? auth, ILogger logger, EtcdClientOptions options, Func<CancellationToken, Task>? untilReconnected)
    : ResilientStream<LeaseKeepAliveRequest, LeaseKeepAliveResponse>((headers, ct) => client.LeaseKeepAlive(headers, cancellationToken: ct), auth, logger, options.ReconnectBackoff, untilReconnected, "lease keep-alive")
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private const long ResendMillis = 500;

    private readonly Dictionary<long, KeptLease> _leases = [];
    private Task? _ticker;

    protected override bool HasSubscribers => _leases.Count > 0;

    /// <summary>Starts keeping <paramref name="leaseId"/> alive; it was last renewed (to <paramref name="ttlSeconds"/>) no earlier than <paramref name="renewedSince"/>.</summary>
    public LeaseKeepAlive Add(long leaseId, long ttlSeconds, long renewedSince)
    {
        var handle = new LeaseKeepAlive(leaseId, this);
        lock (Gate)
        {
            EnsureStarted();
            if (!_leases.TryGetValue(leaseId, out var lease))
            {
                lease = new KeptLease(leaseId);
                _leases.Add(leaseId, lease);
            }

            lease.Handles.Add(handle);
            lease.Renewed(ttlSeconds, renewedSince, Environment.TickCount64);
            handle.TtlSeconds = lease.TtlSeconds;
            _ticker ??= Task.Run(TickAsync);
        }

        return handle;
    }

    /// <summary>Stops renewing for <paramref name="handle"/> (the lease itself is left to expire).</summary>
    public void Remove(LeaseKeepAlive handle)
    {
        lock (Gate)
        {
            if (_leases.TryGetValue(handle.LeaseId, out var lease) && lease.Handles.Remove(handle) && lease.Handles.Count == 0)
            {
                _leases.Remove(handle.LeaseId);
                CloseIfIdle();
            }
        }
    }

    protected override void OnConnected(StreamCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse> call)
    {
        long now = Environment.TickCount64;
        foreach (var lease in _leases.Values)
        {
            if (call.TrySend(new LeaseKeepAliveRequest { ID = lease.Id }))
            {
                lease.Sent(now);
            }
        }
    }

    protected override ValueTask OnResponseAsync(LeaseKeepAliveResponse response)
    {
        KeptLease? lost = null;
        lock (Gate)
        {
            if (!_leases.TryGetValue(response.ID, out var lease))
            {
                return default;
            }

            if (response.TTL <= 0)
            {
                _leases.Remove(response.ID);
                CloseIfIdle();
                lost = lease;
            }
            else
            {
                lease.Answered(response.TTL, Environment.TickCount64);
                foreach (var handle in lease.Handles)
                {
                    handle.TtlSeconds = response.TTL;
                }
            }
        }

        if (lost is not null)
        {
            Lose(lost, LeaseLossReason.NotFound);
        }

        return default;
    }

    // Keep-alive failures are never final for a lease: it keeps trying until the lease's deadline passes.
    protected override void OnPermanentFailure(EtcdException error)
    {
    }

    protected override void OnDisposing()
    {
        foreach (var lease in _leases.Values)
        {
            foreach (var handle in lease.Handles)
            {
                handle.MarkLost(LeaseLossReason.ClientDisposed);
            }
        }

        _leases.Clear();
    }

    protected override async ValueTask OnPumpStoppedAsync()
    {
        Task? ticker;
        lock (Gate)
        {
            ticker = _ticker;
        }

        if (ticker is not null)
        {
            await ticker.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task TickAsync()
    {
        using var timer = new PeriodicTimer(Tick);
        try
        {
            while (await timer.WaitForNextTickAsync(Disposing).ConfigureAwait(false))
            {
                List<KeptLease>? expired = null;
                lock (Gate)
                {
                    if (IsDisposed || _leases.Count == 0)
                    {
                        _ticker = null;
                        return;
                    }

                    long now = Environment.TickCount64;
                    foreach (var lease in _leases.Values)
                    {
                        if (now >= lease.Deadline)
                        {
                            (expired ??= []).Add(lease);
                        }
                        else if (now >= lease.NextKeepAlive && TrySend(new LeaseKeepAliveRequest { ID = lease.Id }))
                        {
                            lease.Sent(now);
                        }
                    }

                    foreach (var lease in expired ?? [])
                    {
                        _leases.Remove(lease.Id);
                    }

                    CloseIfIdle();
                }

                foreach (var lease in expired ?? [])
                {
                    Lose(lease, LeaseLossReason.Expired);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    private void Lose(KeptLease lease, LeaseLossReason reason)
    {
        Logger.LeaseLost(lease.Id, reason);
        foreach (var handle in lease.Handles)
        {
            handle.MarkLost(reason);
        }
    }

    /// <summary>Renewal state of one lease; times are <see cref="Environment.TickCount64"/> milliseconds. Guarded by the gate.</summary>
    private sealed class KeptLease(long id)
    {
        private long _firstUnansweredSend;
        private long _lastSend;

        public long Id { get; } = id;

        public List<LeaseKeepAlive> Handles { get; } = [];

        public long TtlSeconds { get; private set; }

        /// <summary>The lease's expiry if no renewal since: a renewal's TTL counted from before the request was sent.</summary>
        public long Deadline { get; private set; } = long.MinValue;

        public long NextKeepAlive { get; private set; }

        public void Sent(long now)
        {
            if (_firstUnansweredSend == 0)
            {
                _firstUnansweredSend = now;
            }

            _lastSend = now;
            NextKeepAlive = now + ResendMillis;
        }

        public void Answered(long ttlSeconds, long now)
        {
            // etcd renewed the lease no earlier than the oldest request still unanswered was sent.
            long renewedSince = _firstUnansweredSend != 0 ? _firstUnansweredSend : _lastSend != 0 ? _lastSend : now;
            _firstUnansweredSend = 0;
            Renewed(ttlSeconds, renewedSince, now);
        }

        public void Renewed(long ttlSeconds, long renewedSince, long now)
        {
            TtlSeconds = ttlSeconds;
            Deadline = Math.Max(Deadline, renewedSince + (ttlSeconds * 1000));
            NextKeepAlive = now + (ttlSeconds * 1000 / 3);
        }
    }
}
