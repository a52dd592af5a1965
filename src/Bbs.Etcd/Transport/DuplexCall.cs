using System.Net;
using System.Threading.Channels;
using Google.Protobuf;

namespace Bbs.Etcd.Transport;

/// <summary>
/// One bidirectional gRPC stream on HTTP/2. Requests are queued with <see cref="TrySend"/> and written by the
/// request body (<see cref="DuplexContent"/>) for as long as the call lives, while responses are read with
/// <see cref="ReadAsync"/>: full duplex. One reader at a time; <see cref="TrySend"/> and <see cref="Abort"/> are thread-safe.
/// </summary>
internal sealed class DuplexCall<TRequest, TResponse> : IAsyncDisposable
    where TRequest : IMessage
    where TResponse : class, IMessage<TResponse>
{
    private readonly Channel<byte[]> _outgoing = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _lifetime;
    private readonly MessageParser<TResponse> _parser;
    private readonly int _maxReceiveMessageBytes;
    private HttpRequestMessage? _request;
    private HttpResponseMessage? _response;
    private Stream? _body;
    private GrpcFrameReader? _reader;

    public DuplexCall(Uri endpoint, MessageParser<TResponse> parser, int maxReceiveMessageBytes, CancellationToken lifetime)
    {
        Endpoint = endpoint;
        _parser = parser;
        _maxReceiveMessageBytes = maxReceiveMessageBytes;
        _lifetime = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
        Content = new DuplexContent(_outgoing.Reader);
    }

    public Uri Endpoint { get; }

    public HttpContent Content { get; }

    /// <summary>True once <see cref="Abort"/> was called or the lifetime token given at creation fired.</summary>
    public bool IsAborted => _lifetime.IsCancellationRequested;

    /// <summary>Queues a request; false when the call is already over.</summary>
    public bool TrySend(TRequest message) => _outgoing.Writer.TryWrite(GrpcFraming.Encode(message));

    /// <summary>Ends the call from any thread: a pending <see cref="ReadAsync"/> throws <see cref="OperationCanceledException"/>.</summary>
    public void Abort()
    {
        _outgoing.Writer.TryComplete();
        try
        {
            _lifetime.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already disposed: the call is over anyway.
        }
    }

    /// <summary>
    /// The next response, or null when etcd ended the stream with status OK. A non-OK status and transport
    /// failures throw as for unary calls (<see cref="EtcdUnavailableException"/> when the connection broke);
    /// <see cref="Abort"/> makes it throw <see cref="OperationCanceledException"/>.
    /// </summary>
    public async ValueTask<TResponse?> ReadAsync()
    {
        if (_reader is null || _response is null)
        {
            throw new InvalidOperationException("The call has not been started.");
        }

        try
        {
            var message = await _reader.ReadAsync(_parser, _lifetime.Token).ConfigureAwait(false);
            if (message is not null)
            {
                return message;
            }

            var (code, text) = GrpcStatus.ReadFinal(_response);
            return code == GrpcStatusCode.OK ? null : throw GrpcStatus.ToException(code, text);
        }
        catch (Exception ex) when (GrpcStatus.FromTransport(ex, Endpoint, _lifetime.Token, CancellationToken.None) is { } mapped)
        {
            throw mapped;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Abort();
        if (_body is not null)
        {
            await _body.DisposeAsync().ConfigureAwait(false);
        }

        // Disposing an unfinished HTTP/2 response resets the stream, which ends the call on the server.
        _response?.Dispose();

        // The request owns the content; a request that never started does not.
        if (_request is not null)
        {
            _request.Dispose();
        }
        else
        {
            Content.Dispose();
        }

        _lifetime.Dispose();
    }

    /// <summary>Sends <paramref name="request"/> (whose content is <see cref="Content"/>); the call owns it from here on.</summary>
    internal async Task StartAsync(HttpMessageInvoker invoker, HttpRequestMessage request)
    {
        _request = request;
        try
        {
            _response = await invoker.SendAsync(request, _lifetime.Token).ConfigureAwait(false);
            GrpcStatus.EnsureResponseHeaders(_response);
            _body = await _response.Content.ReadAsStreamAsync(_lifetime.Token).ConfigureAwait(false);
            _reader = new GrpcFrameReader(_body, _maxReceiveMessageBytes);
        }
        catch (Exception ex) when (GrpcStatus.FromTransport(ex, Endpoint, _lifetime.Token, CancellationToken.None) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>A request body that never ends on its own: it writes and flushes each queued frame until the call is over.</summary>
    private sealed class DuplexContent : HttpContent
    {
        private readonly ChannelReader<byte[]> _frames;

        public DuplexContent(ChannelReader<byte[]> frames)
        {
            _frames = frames;
            GrpcChannel.SetGrpcContentType(this);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            while (await _frames.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (_frames.TryRead(out var frame))
                {
                    await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
                }

                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
