using System.Runtime.CompilerServices;
using Etcdserverpb;

namespace Bbs.Etcd;

public sealed partial class EtcdClient
{
    /// <summary>
    /// Watches a key or range and yields etcd's responses: batches of events in revision order, and, when
    /// <see cref="WatchCreateRequest.ProgressNotify"/> is set, progress notifications (no events; every change up
    /// to <c>Header.Revision</c> has been delivered). etcd's "created" acknowledgement is not yielded.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Scope: <see cref="WatchCreateRequest.Key"/> and <see cref="WatchCreateRequest.RangeEnd"/> (use
    /// <see cref="EtcdKeys.PrefixEnd(Google.Protobuf.ByteString)"/> for a prefix); <see cref="WatchCreateRequest.StartRevision"/>
    /// is inclusive, 0 meaning changes after the revision current when etcd creates the watch;
    /// <see cref="WatchCreateRequest.PrevKv"/> adds each key's previous value. <c>WatchId</c> and <c>Fragment</c>
    /// are the client's: events of one revision always arrive in one response.
    /// </para>
    /// <para>
    /// Lifetime: the watch is created on etcd when enumeration starts, on the client's one watch stream shared by
    /// all its watches. It ends only when the consumer ends it: cancelling <paramref name="cancellationToken"/>
    /// (the enumeration then throws <see cref="OperationCanceledException"/>) or disposing the enumerator (leaving
    /// an <c>await foreach</c>). Either cancels this watch on etcd and leaves the stream's other watches alone.
    /// </para>
    /// <para>
    /// Failures: when the stream or connection breaks (e.g. etcd restarts), the client reconnects with backoff,
    /// failing over to the next endpoint, and re-creates the watch from the revision after the last one it
    /// yielded: no event is lost or repeated, and the consumer sees only a delay. When that revision has been
    /// compacted (at creation or at a resume), the enumeration throws <see cref="EtcdCompactedException"/> after
    /// the responses already buffered; start again from a fresh read. When etcd cancels the watch for another
    /// reason, or refuses the stream for good (e.g. permission denied), it throws <see cref="EtcdException"/>;
    /// when the client is disposed, <see cref="ObjectDisposedException"/>.
    /// </para>
    /// <para>
    /// Backpressure: up to <see cref="EtcdClientOptions.WatchBufferCapacity"/> responses are buffered per watch.
    /// When a consumer falls that far behind, the shared stream waits for it, which delays the client's other
    /// watches too (etcd then holds back the events); memory stays bounded.
    /// </para>
    /// </remarks>
    public async IAsyncEnumerable<WatchResponse> WatchAsync(WatchCreateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        var watch = _watches.Add(request);
        try
        {
            while (await watch.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (watch.Reader.TryRead(out var response))
                {
                    yield return response;
                }
            }
        }
        finally
        {
            _watches.Remove(watch);
        }
    }
}
