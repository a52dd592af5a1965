using System.Runtime.CompilerServices;
using Bbs.Etcd;
using Api = Etcdserverpb;

namespace Bbs.Store.Etcd;

public sealed partial class EtcdKeyValueStore
{
    /// <inheritdoc/>
    /// <remarks>
    /// One etcd watch with previous values and progress notifications, on the client's shared watch stream. etcd
    /// sends a batch per revision or several revisions per batch, never part of one. Progress batches come at etcd's
    /// <c>--experimental-watch-progress-notify-interval</c> (10 minutes by default) while nothing changes. Reconnects
    /// are the client's and invisible here. A replayed event whose previous revision was compacted has no
    /// <see cref="WatchEvent.PrevKv"/>. Disposing the store ends the sequence normally.
    /// </remarks>
    public IAsyncEnumerable<WatchBatch> WatchAsync(string prefix, long startRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(startRevision);
        ThrowIfDisposed();
        var (key, rangeEnd) = EtcdConvert.PrefixRange(prefix);
        var create = new Api.WatchCreateRequest
        {
            Key = key,
            RangeEnd = rangeEnd,
            StartRevision = startRevision,
            PrevKv = true,
            ProgressNotify = true,
        };
        return WatchCoreAsync(create, _disposing.Token, cancellationToken);
    }

    private async IAsyncEnumerable<WatchBatch> WatchCoreAsync(Api.WatchCreateRequest create, CancellationToken disposing, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, disposing);
        var responses = _client.WatchAsync(create, linked.Token).GetAsyncEnumerator(linked.Token);
        await using (responses.ConfigureAwait(false))
        {
            while (true)
            {
                Api.WatchResponse response;
                try
                {
                    if (!await responses.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }

                    response = responses.Current;
                }
                catch (OperationCanceledException) when (disposing.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }
                catch (ObjectDisposedException) when (disposing.IsCancellationRequested)
                {
                    // The store disposed the client it owns.
                    yield break;
                }
                catch (EtcdException ex)
                {
                    throw EtcdErrors.ToStoreException(ex);
                }

                yield return ToBatch(response);
            }
        }
    }

    private static WatchBatch ToBatch(Api.WatchResponse response)
    {
        var events = response.Events;
        if (events.Count == 0)
        {
            return new WatchBatch(response.Header.Revision, []);
        }

        var batch = new WatchEvent[events.Count];
        for (int i = 0; i < batch.Length; i++)
        {
            var change = events[i];
            var kv = EtcdConvert.ToKeyValue(change.Kv);

            // The previous value is the same key: decode it once.
            var prevKv = change.PrevKv is null ? null : EtcdConvert.ToKeyValue(change.PrevKv, change.PrevKv.Key.Equals(change.Kv.Key) ? kv.Key : null);
            var type = change.Type == Mvccpb.Event.Types.EventType.Delete ? WatchEventType.Delete : WatchEventType.Put;
            batch[i] = new WatchEvent(type, kv, prevKv);
        }

        return new WatchBatch(response.Header.Revision, batch);
    }
}
