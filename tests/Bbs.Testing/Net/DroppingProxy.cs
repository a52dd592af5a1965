using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Bbs.Testing.Net;

/// <summary>
/// A loopback TCP proxy in front of one HTTP/1.1 server that loses every answer: the client's bytes are forwarded
/// to the server, the server's answer is read in full, and then the client's connection is reset without one byte
/// of it. The client sees a transport error for a request the server has applied, which is the case Diego's Go
/// client retries (up to 3 times, on transport errors only).
/// </summary>
/// <remarks>
/// "In full" means until the server closes the connection, which it does after answering a request marked
/// <c>Connection: close</c>; <see cref="CreateClient"/> sends every request that way on a new connection, so one
/// connection carries one request and one answer. A server that does not close within <see cref="AnswerTimeout"/>
/// gets its connection dropped anyway, and what it sent so far is kept. Disposing stops accepting and waits for
/// the connections in progress, each bounded by that timeout.
/// </remarks>
public sealed class DroppingProxy : IAsyncDisposable
{
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);

    private const int MaxAnswerBytes = 1 << 20;

    private readonly TcpListener listener;
    private readonly Uri upstream;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentQueue<DroppedAnswer> dropped = new();
    private readonly ConcurrentDictionary<Task, byte> connections = new();
    private readonly Task acceptLoop;
    private int accepted;

    private DroppingProxy(Uri upstream)
    {
        this.upstream = upstream;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Url = new Uri($"http://127.0.0.1:{port}/");
        acceptLoop = AcceptAsync(stopping.Token);
    }

    /// <summary>Starts a proxy for the HTTP server at <paramref name="upstream"/> (plain HTTP, any path ignored).</summary>
    public static DroppingProxy Start(Uri upstream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        return new DroppingProxy(upstream);
    }

    /// <summary>Where clients connect (loopback, a free port).</summary>
    public Uri Url { get; }

    /// <summary>How many client connections were accepted.</summary>
    public int Connections => Volatile.Read(ref accepted);

    /// <summary>The server's answers that were read and not relayed, one per finished connection, in order.</summary>
    public IReadOnlyList<DroppedAnswer> DroppedAnswers => [.. dropped];

    /// <summary>
    /// An HttpClient for <see cref="Url"/> that opens a new connection for every request and marks it
    /// <c>Connection: close</c>, over HTTP/1.1 only, and gives up after <see cref="AnswerTimeout"/>.
    /// </summary>
    public HttpClient CreateClient()
    {
        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero })
        {
            BaseAddress = Url,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = AnswerTimeout,
        };
        client.DefaultRequestHeaders.ConnectionClose = true;
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        listener.Dispose();
        await acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(connections.Keys).ConfigureAwait(false);
        stopping.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref accepted);
            var connection = DropAsync(client, cancellationToken);
            connections.TryAdd(connection, 0);
            _ = connection.ContinueWith(t => connections.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    /// <summary>Forwards the client's bytes, reads the server's whole answer, then resets the client. Never throws.</summary>
    private async Task DropAsync(Socket client, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(AnswerTimeout);
        using var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await server.ConnectAsync(upstream.Host, upstream.Port, bounded.Token).ConfigureAwait(false);
            var forward = ForwardAsync(client, server, bounded.Token);
            var answer = await ReadToEndAsync(server, bounded.Token).ConfigureAwait(false);
            dropped.Enqueue(new DroppedAnswer(answer));
            await bounded.CancelAsync().ConfigureAwait(false);
            await forward.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The server could not be reached or did not finish in time: the client loses its answer all the same.
        }
        finally
        {
            // Linger 0: close sends RST, so the client reads "connection reset", never a partial answer.
            client.LingerState = new LingerOption(true, 0);
            client.Dispose();
        }
    }

    /// <summary>Copies the client's request bytes to the server until the client stops sending or the connection ends.</summary>
    private static async Task ForwardAsync(Socket client, Socket server, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await client.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                await server.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Reads until the server closes the connection (or <see cref="MaxAnswerBytes"/>); a timeout keeps what came.</summary>
    private static async Task<byte[]> ReadToEndAsync(Socket server, CancellationToken cancellationToken)
    {
        using var answer = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while (answer.Length < MaxAnswerBytes && (read = await server.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false)) > 0)
            {
                answer.Write(buffer, 0, read);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
        }

        return answer.ToArray();
    }
}

/// <summary>An HTTP/1.1 answer as the server sent it (headers, then a Content-Length body).</summary>
public sealed record DroppedAnswer(byte[] Raw)
{
    private static readonly byte[] EndOfHeaders = "\r\n\r\n"u8.ToArray();

    /// <summary>The first line, e.g. <c>HTTP/1.1 200 OK</c>; empty when nothing came.</summary>
    public string StatusLine
    {
        get
        {
            var end = Raw.AsSpan().IndexOf("\r\n"u8);
            return Encoding.ASCII.GetString(Raw, 0, end < 0 ? Raw.Length : end);
        }
    }

    /// <summary>The bytes after the headers (the whole body: the server closed the connection after it).</summary>
    public byte[] Body
    {
        get
        {
            var end = Raw.AsSpan().IndexOf(EndOfHeaders);
            return end < 0 ? [] : Raw[(end + EndOfHeaders.Length)..];
        }
    }
}
