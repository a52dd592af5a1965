using System.Threading.Channels;
using Etcdserverpb;

namespace Bbs.Etcd.Streams;

/// <summary>
/// One watch on the shared stream: its create request, the revision to resume from, and the bounded buffer its
/// consumer reads. The pump is the only writer; <see cref="NextRevision"/> is only touched by the pump (and read
/// under the multiplexer's gate while the pump is between streams).
/// </summary>
internal sealed class WatchRegistration
{
    private readonly WatchCreateRequest _create;
    private readonly Channel<WatchResponse> _buffer;

    public WatchRegistration(long id, WatchCreateRequest create, int capacity)
    {
        Id = id;
        _create = create.Clone();
        _create.WatchId = id;

        // Events of one revision must arrive whole: fragments would be delivered as separate, partial batches.
        _create.Fragment = false;
        NextRevision = create.StartRevision;
        _buffer = Channel.CreateBounded<WatchResponse>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>The watch_id, chosen by the client (etcd 3.4+ honors it), unique per client.</summary>
    public long Id { get; }

    public ChannelReader<WatchResponse> Reader => _buffer.Reader;

    /// <summary>
    /// The revision to (re)create the watch from: the last delivered revision + 1. 0 only while a "from now" watch
    /// has not been acknowledged yet.
    /// </summary>
    public long NextRevision { get; set; }

    public WatchRequest CreateRequest()
    {
        var create = _create.Clone();
        create.StartRevision = NextRevision;
        return new WatchRequest { CreateRequest = create };
    }

    /// <summary>Waits for room in the buffer (backpressure); returns false when the watch was closed meanwhile.</summary>
    public async ValueTask<bool> DeliverAsync(WatchResponse response)
    {
        try
        {
            // Completing the channel (Close) also fails a write that is waiting for room.
            await _buffer.Writer.WriteAsync(response).ConfigureAwait(false);
            return true;
        }
        catch (ChannelClosedException)
        {
            return false;
        }
    }

    /// <summary>Ends the watch: the consumer reads what is buffered, then sees <paramref name="error"/> (or the end).</summary>
    public void Close(Exception? error)
    {
        _buffer.Writer.TryComplete(error);
    }
}
