using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Bbs.Server.Tests.Cluster;

namespace Bbs.Server.Tests.Hosting;

/// <summary>
/// SIGTERM on a real server process with 1,000 open event streams: every stream ends cleanly at once (its client
/// can resume elsewhere with Last-Event-ID), the leader starts no convergence pass, and the process is gone in
/// under 2 s, whatever <c>shutdown_timeout</c> says.
/// </summary>
public sealed class ShutdownTests
{
    private const int Streams = 1000;

    [Fact]
    public async Task SigtermWithAThousandOpenStreamsEndsEveryStreamAndExitsWithinTwoSeconds()
    {
        var settings = new Dictionary<string, string>
        {
            ["Bbs:shutdown_timeout"] = "30s",
            ["Bbs:converge_repeat_interval"] = "200ms",
        };
        await using var server = new BbsProcess("shutdown", "shutdown", BbsProcess.FreePort(), settings);
        server.Start();
        await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));

        string[] paths = ["/v1/events.r1", "/v1/events/lrp_instances.r1", "/v1/events/tasks.r1", "/v1/events"];
        var streams = new List<RawStream>(Streams);
        try
        {
            using var opening = new SemaphoreSlim(50);
            var opened = await Task.WhenAll(Enumerable.Range(0, Streams).Select(async i =>
            {
                await opening.WaitAsync();
                try
                {
                    return await RawStream.OpenAsync(server.Url, paths[i % paths.Length]);
                }
                finally
                {
                    opening.Release();
                }
            }));
            streams.AddRange(opened);

            // An ordinary request still in flight when the signal comes is finished, not cut.
            var inFlight = server.Http.PostAsync(new Uri("/v1/ping", UriKind.Relative), null);

            var elapsed = Stopwatch.StartNew();
            server.Terminate();
            var endings = await Task.WhenAll(streams.Select(s => s.ReadToEndAsync(TimeSpan.FromSeconds(10))));
            bool exited = await server.WaitForExitAsync(TimeSpan.FromSeconds(10));
            elapsed.Stop();

            Assert.True(exited, $"the server did not exit within 10 s of SIGTERM\n{server.RecentOutput}");
            Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(2), $"SIGTERM to exit took {elapsed.Elapsed.TotalMilliseconds:0} ms with {Streams} open streams\n{server.RecentOutput}");
            int clean = endings.Count(e => e == StreamEnd.Completed);
            Assert.True(clean == Streams, $"{clean} of {Streams} streams ended with the chunked terminator; the others: {string.Join(", ", endings.Where(e => e != StreamEnd.Completed).GroupBy(e => e).Select(g => $"{g.Key} x{g.Count()}"))}");
            Assert.Equal(HttpStatusCode.OK, (await inFlight).StatusCode);

            // A pass already under way may still report; none starts after the signal.
            var lines = server.RecentOutput.Split('\n');
            int signal = Array.FindLastIndex(lines, l => l.Contains("sent SIGTERM", StringComparison.Ordinal));
            int passesAfter = lines.Skip(signal + 1).Count(l => l.Contains("LRP convergence done", StringComparison.Ordinal));
            Assert.True(passesAfter <= 1, $"{passesAfter} convergence passes reported after SIGTERM\n{server.RecentOutput}");
        }
        finally
        {
            foreach (var stream in streams)
            {
                stream.Dispose();
            }
        }
    }

    private enum StreamEnd
    {
        Completed,
        Closed,
        TimedOut,
    }

    /// <summary>One event stream on its own socket: a few bytes of state each, so a thousand are cheap for the test.</summary>
    private sealed class RawStream : IDisposable
    {
        private readonly Socket socket;
        private readonly StringBuilder received = new();

        private RawStream(Socket socket) => this.socket = socket;

        public static async Task<RawStream> OpenAsync(Uri server, string path)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            var stream = new RawStream(socket);
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port), timeout.Token);
                var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\nAccept: text/event-stream\r\n\r\n");
                await socket.SendAsync(request, SocketFlags.None, timeout.Token);
                while (!stream.received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    if (await stream.ReceiveAsync(timeout.Token) == 0)
                    {
                        throw new IOException($"{path}: closed before the response headers: {stream.received}");
                    }
                }

                Assert.StartsWith("HTTP/1.1 200", stream.received.ToString(), StringComparison.Ordinal);
                return stream;
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        /// <summary>Reads until the server closes the connection; says whether the response ended with its last chunk first.</summary>
        public async Task<StreamEnd> ReadToEndAsync(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                while (await ReceiveAsync(cancel.Token) > 0)
                {
                }
            }
            catch (OperationCanceledException)
            {
                return StreamEnd.TimedOut;
            }
            catch (SocketException)
            {
                return StreamEnd.Closed;
            }

            return received.ToString().EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal) ? StreamEnd.Completed : StreamEnd.Closed;
        }

        public void Dispose() => socket.Dispose();

        private async Task<int> ReceiveAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[4096];
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            return read;
        }
    }
}
