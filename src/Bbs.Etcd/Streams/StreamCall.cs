using System.Threading.Channels;
using Grpc.Core;

namespace Bbs.Etcd.Streams;

/// <summary>
/// One bidirectional gRPC call of Grpc.Net.Client, with a queue in front of its request stream: gRPC allows one
/// write at a time, while watches and leases are added from any thread. <see cref="TrySend"/> and
/// <see cref="Abort"/> are thread-safe; one reader calls <see cref="ReadAsync"/>.
/// </summary>
internal sealed class StreamCall<TRequest, TResponse> : IAsyncDisposable
    where TRequest : class
    where TResponse : class
{
    private readonly Channel<TRequest> _outgoing = Channel.CreateUnbounded<TRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _lifetime;
    private readonly AsyncDuplexStreamingCall<TRequest, TResponse> _call;
    private readonly Task _writer;

    public StreamCall(Func<CancellationToken, AsyncDuplexStreamingCall<TRequest, TResponse>> start, CancellationToken lifetime)
    {
        _lifetime = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
        _call = start(_lifetime.Token);
        _writer = WriteAsync();
    }

    /// <summary>True once <see cref="Abort"/> was called or the lifetime token given at creation fired.</summary>
    public bool IsAborted => _lifetime.IsCancellationRequested;

    /// <summary>Queues a request; false when the call is already over.</summary>
    public bool TrySend(TRequest request) => _outgoing.Writer.TryWrite(request);

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

    /// <summary>The next response, or null when etcd ended the stream with status OK; a failure throws <see cref="RpcException"/>.</summary>
    public async ValueTask<TResponse?> ReadAsync()
    {
        try
        {
            return await _call.ResponseStream.MoveNext(_lifetime.Token).ConfigureAwait(false) ? _call.ResponseStream.Current : null;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && _lifetime.IsCancellationRequested)
        {
            throw new OperationCanceledException("the stream was closed", ex, _lifetime.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Abort();
        await _writer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _call.Dispose();
        _lifetime.Dispose();
    }

    private async Task WriteAsync()
    {
        try
        {
            await foreach (var request in _outgoing.Reader.ReadAllAsync(_lifetime.Token).ConfigureAwait(false))
            {
                await _call.RequestStream.WriteAsync(request, _lifetime.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException or InvalidOperationException or IOException)
        {
            // The call is over; its reader sees why.
        }
    }
}
