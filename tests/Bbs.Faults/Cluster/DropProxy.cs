using System.Net;
using System.Net.Sockets;

namespace Bbs.Faults.Cluster;

/// <summary>
/// A TCP relay on loopback in front of one server. It passes bytes through unchanged until <see cref="Arm"/>; then,
/// with the given probability per answer, it waits until the server starts to answer a request it has fully relayed,
/// and resets the client's connection without passing a byte of that answer on. The server has applied the request;
/// the client sees a broken connection and replays it, as Diego's Go client does.
/// </summary>
public sealed class DropProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private double _dropProbability;
    private long _dropped;

    public DropProxy(Uri upstream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        _upstream = new IPEndPoint(IPAddress.Loopback, upstream.Port);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync(_stop.Token);
    }

    /// <summary>The address clients use instead of the server's.</summary>
    public Uri Url { get; }

    /// <summary>Answers dropped since the proxy started.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>From now on, drop each answer with <paramref name="probability"/> (0 passes everything).</summary>
    public void Arm(double probability) => Volatile.Write(ref _dropProbability, probability);

    public void Disarm() => Arm(0);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = RelayAsync(client, cancellationToken);
        }
    }

    private async Task RelayAsync(Socket client, CancellationToken cancellationToken)
    {
        using var _ = client;
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await server.ConnectAsync(_upstream, cancellationToken).ConfigureAwait(false);
            var upward = PumpAsync(client, server, dropAnswers: false, connection.Token);
            var downward = PumpAsync(server, client, dropAnswers: true, connection.Token);
            await Task.WhenAny(upward, downward).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            await connection.CancelAsync().ConfigureAwait(false);

            // A reset, not a FIN: the client must not mistake the cut for the end of an answer.
            client.LingerState = new LingerOption(true, 0);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool dropAnswers, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                // The first bytes of an answer arrive only once the server has read and applied the whole request.
                if (dropAnswers && Volatile.Read(ref _dropProbability) is > 0 and var p && Random.Shared.NextDouble() < p)
                {
                    Interlocked.Increment(ref _dropped);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
