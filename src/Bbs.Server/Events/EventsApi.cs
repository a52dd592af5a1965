using System.Text;
using System.Threading.Channels;
using Bbs.Models;
using Bbs.Server.Http;
using Bbs.Store;
using Google.Protobuf;

namespace Bbs.Server.Events;

/// <summary>
/// The server-sent event streams (bbs-protocol.md §6), on GET and POST, each with the optional
/// EventsByCellId body as a filter (a malformed one is answered 500 with an empty body, as BBS does).
/// Beyond BBS: the SSE id is <c>&lt;revision&gt;.&lt;position&gt;</c>, and a client reconnecting with
/// <c>Last-Event-ID</c> gets exactly the events it missed, in order; when the store's history no longer
/// reaches back that far it first gets one <c>resync_required</c> event (see <see cref="ResyncEvent"/>).
/// </summary>
public static partial class EventsApi
{
    /// <summary>
    /// The event a resuming client gets when its Last-Event-ID is older than the store's history: its data is
    /// a base64 protobuf <c>Error{type: ResourceNotFound}</c>; the client must re-list, then keep reading.
    /// Diego's Go clients skip it as an unrecognized event type.
    /// </summary>
    public const string ResyncEvent = "resync_required";

    private static readonly TimeSpan SubscribeTimeout = TimeSpan.FromSeconds(10);

    public static RouteGroupBuilder MapEventsApi(this RouteGroupBuilder v1)
    {
        string[] methods = [HttpMethods.Get, HttpMethods.Post];
        v1.MapMethods("/events", methods, (HttpContext c, EventHub hub) => StreamAsync(c, hub, EventStreams.Lrps)).WithName("EventStream_r0");
        v1.MapMethods("/events.r1", methods, (HttpContext c, EventHub hub) => StreamAsync(c, hub, EventStreams.Lrps)).WithName("EventStream");
        v1.MapMethods("/events/lrp_instances", methods, (HttpContext c, EventHub hub) => StreamAsync(c, hub, EventStreams.LrpInstances)).WithName("LrpInstanceEventStream_r0");
        v1.MapMethods("/events/lrp_instances.r1", methods, (HttpContext c, EventHub hub) => StreamAsync(c, hub, EventStreams.LrpInstances)).WithName("LRPInstanceEventStream");
        v1.MapMethods("/events/tasks", methods, (HttpContext c, EventHub hub) => StreamAsync(c, hub, EventStreams.Tasks)).WithName("TaskEventStream_r0");
        v1.MapMethods("/events/tasks.r1", methods, (HttpContext c, EventHub hub) => StreamAsync(c, hub, EventStreams.Tasks)).WithName("TaskEventStream");
        return v1;
    }

    /// <summary>
    /// True for every event-stream path (<c>/v1/events</c>, <c>/v1/events.r1</c>, <c>/v1/events/tasks</c>, …): a text
    /// prefix, since <c>/v1/events.r1</c> is not under the path segment <c>/v1/events</c>. Streams are long-lived by
    /// design, so the request limits do not count them and the latency histogram does not time them.
    /// </summary>
    public static bool IsStreamPath(PathString path) => path.Value?.StartsWith("/v1/events", StringComparison.Ordinal) == true;

    /// <summary>How long a dropped subscriber's client has to read what was written before its connection is aborted.</summary>
    private static readonly TimeSpan DroppedStreamGrace = TimeSpan.FromSeconds(2);

    public static async Task StreamAsync(HttpContext context, EventHub hub, EventStreams stream)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(hub);
        var cancellationToken = context.RequestAborted;
        var cellId = string.Empty;
        if (stream != EventStreams.Tasks)
        {
            var (filter, error) = await BbsCodec.ReadAsync<EventsByCellId>(context.Request, cancellationToken).ConfigureAwait(false);
            if (error is not null)
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                context.Response.ContentLength = 0;
                return;
            }

            cellId = filter!.CellId;
        }

        EventPosition? resume = EventPosition.TryParse(context.Request.Headers["Last-Event-ID"], out var lastEventId) ? lastEventId : null;
        EventHub.Subscription subscription;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(SubscribeTimeout);
            subscription = await hub.SubscribeAsync(stream, cellId, resume, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            context.Response.ContentLength = 0;
            return;
        }

        using (subscription)
        {
            // A dropped subscriber gets what its buffer still holds and then the end of the stream, so a client that
            // is still reading resumes with Last-Event-ID; one that reads nothing for DroppedStreamGrace has its
            // connection aborted, so no handler stays blocked in a write holding the connection and its buffers.
            using var abortWhenStuck = new CancellationTokenSource();
            using var arm = subscription.Dropped.Register(static s => ((CancellationTokenSource)s!).CancelAfter(DroppedStreamGrace), abortWhenStuck);
            using var abort = abortWhenStuck.Token.Register(static c => ((HttpContext)c!).Abort(), context);
            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/event-stream; charset=utf-8";
            response.Headers.CacheControl = "no-cache, no-store, must-revalidate";
            response.Headers.Connection = "keep-alive";
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);

            var writer = new FrameWriter(response.Body, resume, json: BbsCodec.AnswersJson(context.Request));
            try
            {
                if (subscription.HistoryFrom is { } from)
                {
                    await ReplayHistoryAsync(hub, subscription, from, writer, cancellationToken).ConfigureAwait(false);
                }

                foreach (var e in subscription.Replay)
                {
                    await writer.WriteAsync(e, cancellationToken).ConfigureAwait(false);
                }

                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                await foreach (var e in subscription.Live.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    await writer.WriteAsync(e, cancellationToken).ConfigureAwait(false);
                    if (!subscription.Live.TryPeek(out _))
                    {
                        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SlowConsumerException or ChannelClosedException)
            {
                // The client went away, the server is stopping, or the subscriber fell too far behind: the stream ends.
            }

            if (subscription.Dropped.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                try
                {
                    // Within the grace: the end of the response reaches a reading client, or the abort cuts it short.
                    await response.CompleteAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
                {
                    // Aborted.
                }
            }
        }
    }

    /// <summary>
    /// Replays the store's history after <paramref name="from"/> up to where the hub's memory begins, mapped
    /// exactly as the live stream mapped it, so positions match and nothing is sent twice.
    /// </summary>
    private static async Task ReplayHistoryAsync(EventHub hub, EventHub.Subscription subscription, EventPosition from, FrameWriter writer, CancellationToken cancellationToken)
    {
        var upTo = subscription.HistoryUpTo;
        try
        {
            await foreach (var batch in hub.HistoryAsync(from.Revision, cancellationToken).ConfigureAwait(false))
            {
                foreach (var revision in batch.Events.GroupBy(e => e.Kv.ModRevision))
                {
                    if (revision.Key > upTo.Revision)
                    {
                        return;
                    }

                    foreach (var e in await hub.MapHistoryAsync(revision.Key, revision, cancellationToken).ConfigureAwait(false))
                    {
                        if (e.Position <= upTo && e.IsFor(subscription.Stream, subscription.CellId))
                        {
                            await writer.WriteAsync(e, cancellationToken).ConfigureAwait(false);
                        }
                    }

                    await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                    if (revision.Key == upTo.Revision)
                    {
                        return;
                    }
                }

                if (batch.Revision >= upTo.Revision && batch.Events.Count == 0)
                {
                    return;
                }
            }
        }
        catch (StoreCompactedException ex)
        {
            var signal = new Error
            {
                Type = Error.Types.Type.ResourceNotFound,
                Message = $"events after {from} are no longer in the store's history (compacted at revision {ex.CompactRevision}): re-list, then keep reading",
            };
            await writer.WriteSignalAsync(upTo, ResyncEvent, signal, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes frames in position order, skipping anything at or before what was already written; with
    /// <paramref name="json"/>, each event's data is its Diego JSON (ids and resume are the same in both forms).
    /// </summary>
    private sealed class FrameWriter(Stream body, EventPosition? after, bool json)
    {
        private EventPosition? last = after;

        public async ValueTask WriteAsync(BbsEvent e, CancellationToken cancellationToken)
        {
            if (last is { } written && e.Position <= written)
            {
                return;
            }

            await body.WriteAsync(json ? e.JsonFrame : e.Frame, cancellationToken).ConfigureAwait(false);
            last = e.Position;
        }

        public async ValueTask WriteSignalAsync(EventPosition position, string name, IMessage message, CancellationToken cancellationToken)
        {
            var frame = BbsEvent.EncodeFrame(position, name, message, json);
            await body.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            await body.FlushAsync(cancellationToken).ConfigureAwait(false);
            last = position;
        }

        public Task FlushAsync(CancellationToken cancellationToken) => body.FlushAsync(cancellationToken);
    }
}
