using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Bbs.Faults.Cluster;

/// <summary>
/// One Bbs.Server child process (<c>dotnet Bbs.Server.dll --Bbs:key=value ...</c>) on a fixed loopback port, which a
/// fault may kill (SIGKILL), freeze (SIGSTOP) and thaw (SIGCONT), and start again on the same port and uuid. Its
/// output goes to a bounded buffer for failure messages; the process is killed on dispose and when this process exits.
/// </summary>
public sealed class ServerNode : IAsyncDisposable
{
    private readonly string _dll;
    private readonly IReadOnlyList<string> _arguments;
    private readonly Queue<string> _output = new();
    private readonly Lock _gate = new();
    private readonly HttpClient _probe;
    private Process? _process;

    public ServerNode(string name, string dll, int port, IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Name = name;
        Id = $"bbs-{name.ToLowerInvariant()}-{Guid.NewGuid():N}"[..14];
        Url = new Uri($"http://127.0.0.1:{port}/");
        _dll = dll;
        var all = new Dictionary<string, string>(settings)
        {
            ["Bbs:listen_address"] = $"127.0.0.1:{port}",
            ["Bbs:uuid"] = Id,
            ["Bbs:advertise_url"] = Url.ToString().TrimEnd('/'),
        };
        _arguments = [dll, .. all.Select(p => $"--{p.Key}={p.Value}")];
        _probe = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(1) };
    }

    /// <summary>A short name for reports ("A", "B", ...).</summary>
    public string Name { get; }

    /// <summary>The instance's uuid, as its lock record and /readyz show it.</summary>
    public string Id { get; }

    public Uri Url { get; }

    public int? Pid => _process?.Id;

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>True between <see cref="Freeze"/> and <see cref="Thaw"/>.</summary>
    public bool IsFrozen { get; private set; }

    public string RecentOutput
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public void Start()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is already running.");
        }

        var start = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(_dll)!,
        };
        foreach (string argument in _arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        Add($"--- {Name} ({Id}) starting");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        IsFrozen = false;
        AppDomain.CurrentDomain.ProcessExit += KillOnExit;
    }

    /// <summary>Waits until <c>/readyz</c> answers 200; fails early when the process exits.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (await ReadyzAsync(cancellationToken).ConfigureAwait(false) is null)
        {
            if (!IsRunning)
            {
                throw new InvalidOperationException($"{Name} exited before it was ready.\n{RecentOutput}");
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{Name} was not ready within {timeout.TotalSeconds} s.\n{RecentOutput}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The <c>leader:</c> line of <c>/readyz</c>, or null when it does not answer 200 within a second.</summary>
    public async Task<string?> ReadyzAsync(CancellationToken cancellationToken)
    {
        if (!IsRunning || IsFrozen)
        {
            return null;
        }

        try
        {
            using var response = await _probe.GetAsync(new Uri("/readyz", UriKind.Relative), cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return null;
            }

            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return body.Split('\n').FirstOrDefault(l => l.StartsWith("leader: ", StringComparison.Ordinal))?["leader: ".Length..] ?? string.Empty;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Whether this instance's <c>/readyz</c> says it holds the lock.</summary>
    public async Task<bool> LeadsAsync(CancellationToken cancellationToken) =>
        await ReadyzAsync(cancellationToken).ConfigureAwait(false) == $"{Id} (this instance)";

    /// <summary>SIGKILL, as in a crash: no lease is released. Waits for the process to exit.</summary>
    public async Task KillAsync()
    {
        var running = _process;
        if (running is null)
        {
            return;
        }

        _process = null;
        IsFrozen = false;
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        if (!await Bbs.Testing.Processes.ChildProcess.KillAndWaitAsync(running, TimeSpan.FromSeconds(10)).ConfigureAwait(false))
        {
            Add($"--- {Name} did not exit within 10 s of SIGKILL");
        }

        Add($"--- {Name} killed");
        running.Dispose();
    }

    /// <summary>SIGSTOP: the process keeps its sockets and lease but runs no code until <see cref="Thaw"/>.</summary>
    public void Freeze()
    {
        Signal("STOP");
        IsFrozen = true;
    }

    /// <summary>SIGCONT after <see cref="Freeze"/>.</summary>
    public void Thaw()
    {
        Signal("CONT");
        IsFrozen = false;
    }

    public async ValueTask DisposeAsync()
    {
        if (IsFrozen)
        {
            Thaw();
        }

        await KillAsync().ConfigureAwait(false);
        _probe.Dispose();
    }

    private void Signal(string signal)
    {
        var running = _process ?? throw new InvalidOperationException($"{Name} is not running.");
        using var kill = Process.Start(new ProcessStartInfo("kill")
        {
            ArgumentList = { "-" + signal, running.Id.ToString(CultureInfo.InvariantCulture) },
            UseShellExecute = false,
        })!;
        kill.WaitForExit();
        Add($"--- {Name} sent SIG{signal}");
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : "dotnet";

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.Enqueue(line.Length > 400 ? line[..400] : line);
            while (_output.Count > 200)
            {
                _output.Dequeue();
            }
        }
    }

    private void KillOnExit(object? sender, EventArgs e)
    {
        try
        {
            _process?.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
