using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Bbs.Server.Tests.Events;

/// <summary>
/// Sits between a client and the real server: records each event-stream request's <c>Last-Event-ID</c>, answers
/// queued statuses or canned event streams instead of forwarding, and can cut the current stream's connection
/// (its next read fails).
/// </summary>
public sealed class FaultyHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly Lock gate = new();
    private readonly List<string?> lastEventIds = [];
    private readonly List<Pipe> cannedStreams = [];
    private CuttableStream? current;

    /// <summary>Statuses to answer, in order, instead of forwarding the next event-stream requests.</summary>
    public ConcurrentQueue<HttpStatusCode> Answers { get; } = new();

    /// <summary>
    /// Bodies to answer, in order, as 200 <c>text/event-stream</c> instead of forwarding the next event-stream requests
    /// (after <see cref="Answers"/>); each stream stays open after its body, as a live one would.
    /// </summary>
    public ConcurrentQueue<string> CannedStreams { get; } = new();

    /// <summary>The <c>Last-Event-ID</c> of every event-stream request so far (null: none sent).</summary>
    public IReadOnlyList<string?> LastEventIds
    {
        get
        {
            lock (gate)
            {
                return [.. lastEventIds];
            }
        }
    }

    /// <summary>Breaks the connection of the stream answered last, as a network failure would.</summary>
    public void Cut()
    {
        lock (gate)
        {
            current?.Cut();
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.RequestUri!.AbsolutePath.StartsWith("/v1/events", StringComparison.Ordinal))
        {
            return await base.SendAsync(request, cancellationToken);
        }

        lock (gate)
        {
            lastEventIds.Add(request.Headers.TryGetValues("Last-Event-ID", out var values) ? values.Single() : null);
        }

        if (Answers.TryDequeue(out var status))
        {
            return new HttpResponseMessage(status) { RequestMessage = request, Content = new ByteArrayContent([]) };
        }

        if (CannedStreams.TryDequeue(out var canned))
        {
            var pipe = new Pipe();
            await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes(canned), cancellationToken);
            lock (gate)
            {
                cannedStreams.Add(pipe);
            }

            var body = new StreamContent(pipe.Reader.AsStream());
            body.Headers.ContentType = MediaTypeHeaderValue.Parse("text/event-stream; charset=utf-8");
            return new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = body };
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return response;
        }

        var original = response.Content;
        var stream = new CuttableStream(await original.ReadAsStreamAsync(cancellationToken));
        var content = new StreamContent(stream);
        foreach (var header in original.Headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = content;
        lock (gate)
        {
            current = stream;
        }

        return response;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (gate)
            {
                foreach (var pipe in cannedStreams)
                {
                    pipe.Writer.Complete();
                }
            }
        }

        base.Dispose(disposing);
    }

    private sealed class CuttableStream(Stream inner) : Stream
    {
        private readonly CancellationTokenSource cut = new();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public void Cut() => cut.Cancel();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, cut.Token);
            try
            {
                return await inner.ReadAsync(buffer, linked.Token);
            }
            catch (OperationCanceledException) when (cut.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new IOException("the test cut the connection");
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                cut.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
