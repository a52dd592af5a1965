using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Bbs.Models;

namespace Bbs.Client.Events;

/// <summary>
/// One subscription to a BBS event stream (bbs-protocol.md §6), read with <see cref="SseParser"/> and decoded
/// into <see cref="BbsStreamEvent"/>s: every named BBS event becomes its protobuf message, <c>resync_required</c>
/// a <see cref="ResyncRequiredEvent"/>, and events with names this client does not know are skipped (as Diego's
/// clients skip <c>ErrUnrecognizedEventType</c>).
/// <para>
/// Lifetime: <see cref="BbsClient"/>'s <c>SubscribeTo…Async</c> returns the stream once the server has answered 200,
/// i.e. once the subscription is registered: every event of a write made after that arrives on it. The stream holds
/// one HTTP response open on the client's HttpClient (dispose streams before the client). Enumerate it once; when
/// that enumeration ends (the caller breaks, its token is cancelled, or the stream fails) the stream is disposed.
/// Disposing it from anywhere closes the connection and ends a pending enumeration normally.
/// </para>
/// <para>
/// Failures: when the connection breaks, or the server ends the stream (e.g. after dropping this reader as a slow
/// consumer), the stream reconnects after <see cref="BbsEventStreamOptions.RetryDelay"/> with <c>Last-Event-ID</c>
/// set to <see cref="LastEventId"/>, so this server replays exactly what was missed; transport failures, attempt
/// timeouts and 5xx answers are retried up to <see cref="BbsEventStreamOptions.MaxAttempts"/> times in a row. Then,
/// and at once for any other status, the enumeration throws <see cref="BbsException"/> (UnknownError, Timeout,
/// InvalidResponse "Invalid Response with status code: N" or RouterError, as the other calls). An event whose
/// data does not decode throws InvalidProtobufMessage; <see cref="LastEventId"/> then already names that event, so a
/// new subscription from it skips it. Cancellation through the caller's token surfaces as
/// <see cref="OperationCanceledException"/>.
/// </para>
/// </summary>
public sealed class BbsEventStream : IAsyncEnumerable<BbsStreamEvent>, IAsyncDisposable
{
    private readonly EventStreamRequest request;
    private readonly BbsEventStreamOptions options;
    private readonly CancellationTokenSource closed = new();
    private readonly CancellationToken closedToken;
    private Connection? current;
    private TimeSpan? serverRetryDelay;
    private int enumerated;
    private int disposed;

    private BbsEventStream(EventStreamRequest request, BbsEventStreamOptions options)
    {
        this.request = request;
        this.options = options;
        closedToken = closed.Token;
        LastEventId = options.LastEventId;
    }

    /// <summary>The route this stream reads, e.g. <c>/v1/events.r1</c>.</summary>
    public string Path => request.Uri.AbsolutePath;

    /// <summary>The id of the last event received (skipped ones included); what a reconnection sends as <c>Last-Event-ID</c>.</summary>
    public string? LastEventId { get; private set; }

    /// <summary>How many times the stream has reconnected after losing its connection.</summary>
    public int Reconnects { get; private set; }

    public IAsyncEnumerator<BbsStreamEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (Interlocked.Exchange(ref enumerated, 1) != 0)
        {
            throw new InvalidOperationException("A BBS event stream can be enumerated only once.");
        }

        return ReadAsync(cancellationToken).GetAsyncEnumerator(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        // Cancelling ends a read in progress; the enumeration then closes its connection itself.
        await closed.CancelAsync().ConfigureAwait(false);
        var connection = current;
        if (Volatile.Read(ref enumerated) == 0 && connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            connection?.Response.Dispose();
        }
    }

    /// <summary>Connects (with retries) and returns the stream ready to be enumerated.</summary>
    internal static async Task<BbsEventStream> OpenAsync(EventStreamRequest request, BbsEventStreamOptions options, CancellationToken cancellationToken)
    {
        options.Validate();
        var stream = new BbsEventStream(request, options);
        try
        {
            stream.current = new Connection(await stream.ConnectAsync(cancellationToken).ConfigureAwait(false));
            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static bool IsTransportFailure(Exception ex) => ex is HttpRequestException or IOException;

    private async IAsyncEnumerable<BbsStreamEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var token = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, closedToken);
        try
        {
            while (await NextAsync(token.Token, cancellationToken).ConfigureAwait(false) is { } next)
            {
                yield return next;
            }
        }
        finally
        {
            if (current is { } connection)
            {
                current = null;
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            token.Dispose();
            await DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The next event, reconnecting as needed; null once the stream is disposed.</summary>
    private async Task<BbsStreamEvent?> NextAsync(CancellationToken token, CancellationToken callerToken)
    {
        while (true)
        {
            try
            {
                if (current is null)
                {
                    await Task.Delay(serverRetryDelay ?? options.RetryDelay, token).ConfigureAwait(false);
                    current = new Connection(await ConnectAsync(token).ConfigureAwait(false));
                    Reconnects++;
                }

                var items = await current.ItemsAsync(token).ConfigureAwait(false);
                while (await items.MoveNextAsync().ConfigureAwait(false))
                {
                    var item = items.Current;
                    var id = item.EventId ?? current.Parser!.LastEventId;
                    if (!string.IsNullOrEmpty(id))
                    {
                        LastEventId = id;
                    }

                    if (item.Data.Invalid is { } reason)
                    {
                        throw BbsException.Of(Error.Types.Type.InvalidProtobufMessage, $"invalid payload in {item.EventType} event {id}: {reason}");
                    }

                    switch (item.Data.Message)
                    {
                        case null:
                            continue; // a name this client does not know
                        case Error error when item.EventType == BbsEventNames.ResyncRequired:
                            return new ResyncRequiredEvent(id ?? string.Empty, error);
                        case { } message:
                            return new BbsStreamEvent(item.EventType, id ?? string.Empty, message);
                    }
                }

                // The server ended the stream (it dropped this reader as a slow consumer, or is stopping): resume.
            }
            catch (OperationCanceledException) when (callerToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception) when (closedToken.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception ex) when (IsTransportFailure(ex))
            {
                // The connection broke: resume from LastEventId.
            }

            if (current is { } broken)
            {
                current = null;
                serverRetryDelay = broken.Parser?.ReconnectionInterval is { } retry && retry != Timeout.InfiniteTimeSpan ? retry : serverRetryDelay;
                await broken.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Sends the subscription until it is answered 200, retrying what Diego's event source retries.</summary>
    private async Task<HttpResponseMessage> ConnectAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (response, failure) = await TryConnectAsync(cancellationToken).ConfigureAwait(false);
            if (response is not null)
            {
                return response;
            }

            if (attempt >= options.MaxAttempts)
            {
                throw failure!;
            }

            await Task.Delay(options.RetryDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One attempt: the 200 response, or the failure to retry; a failure not to retry is thrown.</summary>
    private async Task<(HttpResponseMessage? Response, BbsException? Failure)> TryConnectAsync(CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            if (options.HasConnectTimeout)
            {
                timeout.CancelAfter(options.ConnectTimeout);
            }

            try
            {
                using var message = request.Create(LastEventId);
                response = await request.Http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                return (null, BbsException.Of(Error.Types.Type.Timeout, $"{Path} did not answer within {options.ConnectTimeout}", ex));
            }
            catch (Exception ex) when (IsTransportFailure(ex))
            {
                return (null, BbsException.Of(Error.Types.Type.UnknownError, ex.Message, ex));
            }
        }

        var routerError = response.Headers.TryGetValues(BbsClient.RouterErrorHeader, out var values) ? values.FirstOrDefault() ?? string.Empty : null;
        if (response.StatusCode == HttpStatusCode.OK && routerError is null)
        {
            return (response, null);
        }

        var status = (int)response.StatusCode;
        response.Dispose();
        if (routerError is not null)
        {
            throw BbsException.Of(Error.Types.Type.RouterError, routerError);
        }

        var failure = BbsException.Of(Error.Types.Type.InvalidResponse, $"Invalid Response with status code: {status}");
        return status >= 500 ? (null, failure) : throw failure;
    }

    /// <summary>One HTTP response and the parser reading it.</summary>
    private sealed class Connection(HttpResponseMessage response) : IAsyncDisposable
    {
        private IAsyncEnumerator<SseItem<EventPayload>>? items;

        public HttpResponseMessage Response { get; } = response;

        public SseParser<EventPayload>? Parser { get; private set; }

        public async ValueTask<IAsyncEnumerator<SseItem<EventPayload>>> ItemsAsync(CancellationToken cancellationToken)
        {
            if (items is null)
            {
                var body = await Response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                Parser = SseParser.Create(body, EventPayloads.Decode);
                items = Parser.EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
            }

            return items;
        }

        public async ValueTask DisposeAsync()
        {
            if (items is not null)
            {
                await items.DisposeAsync().ConfigureAwait(false);
            }

            Response.Dispose();
        }
    }
}

/// <summary>How to open one event stream: the route, its method, its optional body (EventsByCellId) and the trace id.</summary>
internal sealed record EventStreamRequest(HttpClient Http, Uri Uri, HttpMethod Method, byte[]? Body, string TraceId)
{
    public const string LastEventIdHeader = "Last-Event-ID";

    public HttpRequestMessage Create(string? lastEventId)
    {
        var message = new HttpRequestMessage(Method, Uri);
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue(BbsClient.ProtobufContentType);
        }

        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        message.Headers.TryAddWithoutValidation(BbsClient.RequestIdHeader, TraceId);
        if (!string.IsNullOrEmpty(lastEventId))
        {
            message.Headers.TryAddWithoutValidation(LastEventIdHeader, lastEventId);
        }

        return message;
    }
}
