using Etcdserverpb;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Bbs.Etcd.Streams;

/// <summary>
/// All of a client's watches on one <c>Watch.Watch</c> stream (the generated <see cref="Watch.WatchClient"/>),
/// multiplexed by client-chosen watch IDs.
/// After a reconnect every watch is created again from the revision after the last one it delivered, so events
/// are neither lost nor repeated.
/// </summary>
internal sealed class WatchMultiplexer(Watch.WatchClient client, EtcdAuth? auth, ILogger logger, EtcdClientOptions options, Func<CancellationToken, Task>? untilReconnected)
    : ResilientStream<WatchRequest, WatchResponse>((headers, ct) => client.Watch(headers, cancellationToken: ct), auth, logger, options.ReconnectBackoff, untilReconnected, "watch")
{
    private readonly Dictionary<long, WatchRegistration> _watches = [];
    private readonly int _bufferCapacity = options.WatchBufferCapacity;
    private long _lastWatchId;

    protected override bool HasSubscribers => _watches.Count > 0;

    public WatchRegistration Add(WatchCreateRequest create)
    {
        var watch = new WatchRegistration(Interlocked.Increment(ref _lastWatchId), create, _bufferCapacity);
        lock (Gate)
        {
            EnsureStarted();
            _watches.Add(watch.Id, watch);
            if (TrySend(watch.CreateRequest()))
            {
                Logger.WatchCreating(watch.Id, watch.NextRevision);
            }
        }

        return watch;
    }

    /// <summary>Ends a watch for its consumer: cancels it on etcd, or closes the stream if it was the last one.</summary>
    public void Remove(WatchRegistration watch)
    {
        lock (Gate)
        {
            if (!_watches.Remove(watch.Id))
            {
                return;
            }

            watch.Close(null);
            if (HasSubscribers)
            {
                TrySend(new WatchRequest { CancelRequest = new WatchCancelRequest { WatchId = watch.Id } });
            }
            else
            {
                CloseIfIdle();
            }
        }
    }

    protected override void OnConnected(StreamCall<WatchRequest, WatchResponse> call)
    {
        foreach (var watch in _watches.Values)
        {
            Logger.WatchCreating(watch.Id, watch.NextRevision);
            call.TrySend(watch.CreateRequest());
        }
    }

    protected override async ValueTask OnResponseAsync(WatchResponse response)
    {
        WatchRegistration? watch;
        lock (Gate)
        {
            // Unknown IDs: watches we already removed (etcd may still send a few responses), or a stream-wide
            // progress response (watch_id -1), which we never request.
            if (!_watches.TryGetValue(response.WatchId, out watch))
            {
                return;
            }
        }

        if (response.CompactRevision != 0)
        {
            Logger.WatchCompacted(watch.Id, response.CompactRevision);
            Fail(watch, new EtcdCompactedException(response.CompactRevision, $"the watch's start revision {watch.NextRevision} has been compacted; the oldest available revision is {response.CompactRevision}"));
            return;
        }

        if (response.Canceled)
        {
            Logger.WatchCanceledByServer(watch.Id, response.CancelReason);
            Fail(watch, new EtcdException(StatusCode.Cancelled, $"etcd canceled the watch: {response.CancelReason}"));
            return;
        }

        if (response.Created)
        {
            // etcd created a "from now" watch at header.revision + 1; resume from there after a reconnect.
            if (watch.NextRevision == 0)
            {
                watch.NextRevision = response.Header.Revision + 1;
            }

            return;
        }

        long next;
        if (response.Events.Count == 0)
        {
            // A progress notification: every event up to header.revision has been sent.
            next = response.Header.Revision + 1;
        }
        else
        {
            if (response.Events[0].Kv.ModRevision < watch.NextRevision)
            {
                // Never deliver a revision twice, whatever the server resends after a resume.
                var fresh = response.Events.Where(e => e.Kv.ModRevision >= watch.NextRevision).ToList();
                if (fresh.Count == 0)
                {
                    return;
                }

                response = response.Clone();
                response.Events.Clear();
                response.Events.AddRange(fresh);
            }

            next = response.Events[^1].Kv.ModRevision + 1;
        }

        if (await watch.DeliverAsync(response).ConfigureAwait(false))
        {
            watch.NextRevision = Math.Max(watch.NextRevision, next);
        }
    }

    protected override void OnPermanentFailure(EtcdException error)
    {
        List<WatchRegistration> failed;
        lock (Gate)
        {
            failed = [.. _watches.Values];
            _watches.Clear();
        }

        foreach (var watch in failed)
        {
            watch.Close(error);
        }
    }

    protected override void OnDisposing()
    {
        foreach (var watch in _watches.Values)
        {
            watch.Close(new ObjectDisposedException(nameof(EtcdClient), "The etcd client was disposed while the watch was open."));
        }

        _watches.Clear();
    }

    private void Fail(WatchRegistration watch, Exception error)
    {
        lock (Gate)
        {
            // etcd has already canceled it on its side: no cancel request needed.
            _watches.Remove(watch.Id);
            CloseIfIdle();
        }

        watch.Close(error);
    }
}
