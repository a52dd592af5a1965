using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Bbs.Bench.Report;

namespace Bbs.Bench.Server;

/// <summary>
/// Bbs.Server as a child process on a free loopback port, so its memory is its own. Killed (with any children) on
/// dispose, on Ctrl+C (through the run's cancellation and dispose) and when this process exits.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly RecentLines _output = new(200);
    private readonly Lock _observersGate = new();
    private Action<string>[] _observers = [];

    private ServerProcess(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public int Pid => _process.Id;

    /// <summary>The server's first error and last lines of output (each cut to 400 characters), for failure messages.</summary>
    public string RecentOutput =>
        (_output.FirstError is { } error ? $"first error: {error}\nlast lines:\n" : string.Empty) + _output.Tail(lines: 12, maxLineLength: 400);

    /// <summary>
    /// Starts <c>dotnet &lt;dll&gt; --Bbs:store=… --Bbs:etcd_endpoints=… --Bbs:listen_address=127.0.0.1:&lt;port&gt;</c>
    /// followed by <paramref name="settings"/> (e.g. <c>--Bbs:log_level=info</c>) and returns once <c>GET /readyz</c>
    /// answers 200 (the store is reachable).
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string dll, string store, IEnumerable<Uri> etcdEndpoints, IReadOnlyList<string> settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int port = FreePort();
        var start = new ProcessStartInfo(DotnetHost.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (string argument in (string[])
        [
            dll,
            $"--Bbs:store={store}",
            $"--Bbs:etcd_endpoints={string.Join(',', etcdEndpoints.Select(u => u.GetLeftPart(UriPartial.Authority)))}",
            $"--Bbs:listen_address=127.0.0.1:{port}",
            .. settings,
        ])
        {
            start.ArgumentList.Add(argument);
        }

        Progress.Say($"starting server: dotnet {string.Join(' ', start.ArgumentList)}");
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        process.Start();
        AppDomain.CurrentDomain.ProcessExit += server.KillOnExit;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public MemorySample Memory() => MemorySample.Read(_process.Id);

    /// <summary>
    /// Calls <paramref name="onLine"/> with every raw line the server writes (its JSON log lines) until the returned
    /// handle is disposed. The callback runs on the output reader's thread, so it must be quick and thread-safe.
    /// </summary>
    public IDisposable ObserveOutput(Action<string> onLine)
    {
        lock (_observersGate)
        {
            _observers = [.. _observers, onLine];
        }

        return new Unobserve(this, onLine);
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        Kill();
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var readyz = new Uri(Url, "/readyz");
        var clock = Stopwatch.StartNew();
        string last = "no answer yet";
        int serverErrors = 0;
        while (clock.Elapsed < ReadyTimeout)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                throw new ServerStartException($"the server exited with code {_process.ExitCode} before it was ready{ServerError()}\n{RecentOutput}");
            }

            try
            {
                using var response = await http.GetAsync(readyz, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Trim()}";

                // 503 is "store not reachable yet"; any other 5xx is a fault that waiting will not cure.
                serverErrors = (int)response.StatusCode >= 500 && response.StatusCode != HttpStatusCode.ServiceUnavailable ? serverErrors + 1 : 0;
                if (serverErrors >= 3)
                {
                    break;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                last = ex.Message;
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        throw new ServerStartException($"GET {readyz} did not answer 200 after {clock.Elapsed.TotalSeconds:0} s (last: {last.TrimEnd()}){ServerError()}\n{RecentOutput}");
    }

    internal void RemoveObserver(Action<string> onLine)
    {
        lock (_observersGate)
        {
            _observers = [.. _observers.Where(o => o != onLine)];
        }
    }

    private void OnLine(string? line)
    {
        _output.Add(line);
        if (line is not null)
        {
            foreach (var observer in Volatile.Read(ref _observers))
            {
                observer(line);
            }
        }
    }

    private string ServerError() => _output.FirstError is { } error ? "; server error: " + error : string.Empty;

    private void KillOnExit(object? sender, EventArgs e) => Kill();

    private void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>Removes an output observer once.</summary>
file sealed class Unobserve(ServerProcess server, Action<string> observer) : IDisposable
{
    private int _disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            server.RemoveObserver(observer);
        }
    }
}

/// <summary>The server did not start or never became ready; the message carries its output.</summary>
public sealed class ServerStartException(string message) : Exception(message);
