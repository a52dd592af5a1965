using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Bbs.Client;

namespace Bbs.Server.Tests.Cluster;

/// <summary>What one instance's <c>/readyz</c> says about leadership.</summary>
public sealed record Readiness(string Instance, string Leader)
{
    /// <summary>True when the instance reports itself as the leader (<c>leader: &lt;id&gt; (this instance)</c>).</summary>
    public bool LeadsItself => Leader == $"{Instance} (this instance)";

    /// <summary>The leader's id (the first word of the <c>leader:</c> line), or "unknown".</summary>
    public string LeaderId => Leader.Split(' ', 2)[0];
}

/// <summary>
/// One real server process: <c>dotnet Bbs.Server.dll --Bbs:key=value ...</c>. The server assembly used is the one
/// the build copies next to this test assembly (the test project references src/Bbs.Server, and the SDK copies a
/// referenced executable's runtimeconfig.json and deps.json with it), so the processes run exactly the code the
/// in-process tests host, with no second build output to keep in step. Its stdout and stderr go to a bounded
/// buffer for failure messages. Killed (SIGKILL, the whole tree) on dispose and when the test host exits.
/// </summary>
public sealed class BbsProcess : IAsyncDisposable
{
    private const int MaxOutputLines = 5000;

    private readonly IReadOnlyDictionary<string, string> settings;
    private readonly Queue<string> output = new();
    private readonly Lock gate = new();
    private Process? process;

    public BbsProcess(string name, string id, int port, IReadOnlyDictionary<string, string> sharedSettings)
    {
        ArgumentNullException.ThrowIfNull(sharedSettings);
        Name = name;
        Id = id;
        Url = new Uri($"http://127.0.0.1:{port}");
        settings = new Dictionary<string, string>(sharedSettings)
        {
            ["Bbs:listen_address"] = $"127.0.0.1:{port}",
            ["Bbs:uuid"] = id,
            ["Bbs:advertise_url"] = Url.ToString().TrimEnd('/'),
        };
        Http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(10) };
        Client = new BbsClient(Http);
    }

    /// <summary>A short name for messages ("A", "B", ...).</summary>
    public string Name { get; }

    /// <summary>The instance's uuid, as its lock record and /readyz show it.</summary>
    public string Id { get; }

    public Uri Url { get; }

    /// <summary>A plain client for the instance (no default Content-Type).</summary>
    public HttpClient Http { get; }

    public BbsClient Client { get; }

    public bool IsRunning => process is { HasExited: false };

    /// <summary>The server assembly next to this test assembly; fails with an explanation when the build did not copy it runnable.</summary>
    public static string ServerAssembly
    {
        get
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "Bbs.Server.dll");
            var runtimeConfig = Path.ChangeExtension(dll, ".runtimeconfig.json");
            if (!File.Exists(dll) || !File.Exists(runtimeConfig))
            {
                throw new InvalidOperationException(
                    $"{dll} (with its runtimeconfig.json) is missing: the test project's reference to src/Bbs.Server should copy them to its output.");
            }

            return dll;
        }
    }

    /// <summary>The last lines the process wrote (stdout and stderr interleaved).</summary>
    public string RecentOutput
    {
        get
        {
            lock (gate)
            {
                return string.Join('\n', output);
            }
        }
    }

    /// <summary>A free loopback port (bound and released; another process may take it in between, which is unlikely).</summary>
    public static int FreePort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    public void Start()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is already running.");
        }

        var assembly = ServerAssembly;
        var start = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        start.ArgumentList.Add(assembly);
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var started = new Process { StartInfo = start, EnableRaisingEvents = true };
        started.OutputDataReceived += (_, e) => Add(e.Data);
        started.ErrorDataReceived += (_, e) => Add(e.Data);
        Add($"--- {Name} ({Id}) starting: {start.FileName} {string.Join(' ', start.ArgumentList)}");
        started.Start();
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        process = started;
        AppDomain.CurrentDomain.ProcessExit += KillOnExit;
    }

    /// <summary>Waits until <c>/readyz</c> answers 200; fails early if the process exits.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var elapsed = Stopwatch.StartNew();
        while (await ReadyzAsync() is null)
        {
            if (!IsRunning)
            {
                throw new InvalidOperationException($"{Name} exited with code {process?.ExitCode} before it was ready.\n{RecentOutput}");
            }

            if (elapsed.Elapsed > timeout)
            {
                throw new TimeoutException($"{Name} was not ready within {timeout.TotalSeconds} s.\n{RecentOutput}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The instance and leader lines of <c>/readyz</c>, or null when it does not answer 200.</summary>
    public async Task<Readiness?> ReadyzAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            using var response = await Http.GetAsync(new Uri("/readyz", UriKind.Relative), timeout.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return null;
            }

            var lines = (await response.Content.ReadAsStringAsync(timeout.Token)).Split('\n');
            string Line(string name) => lines.FirstOrDefault(l => l.StartsWith(name + ": ", StringComparison.Ordinal))?[(name.Length + 2)..] ?? string.Empty;
            return new Readiness(Line("instance"), Line("leader"));
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Asks the process to stop gracefully (SIGTERM, as an orchestrator does), without waiting.</summary>
    public void Terminate()
    {
        var running = process ?? throw new InvalidOperationException($"{Name} is not running.");
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", running.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        kill.WaitForExit();
        Add($"--- {Name} sent SIGTERM");
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the process to exit; returns whether it did.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        if (process is not { } running)
        {
            return true;
        }

        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await running.WaitForExitAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Kills the process at once (SIGKILL: no lease is released, as in a crash) and waits for it to exit.</summary>
    public async Task KillAsync()
    {
        var running = process;
        if (running is null)
        {
            return;
        }

        process = null;
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        if (!await Bbs.Testing.Processes.ChildProcess.KillAndWaitAsync(running, TimeSpan.FromSeconds(10)))
        {
            Add($"--- {Name} did not exit within 10 s of SIGKILL");
        }

        Add($"--- {Name} killed");
        running.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Client.Dispose();
        Http.Dispose();
    }

    internal static string DotnetHost()
    {
        // The SDK tells child processes which host runs them; else the host running this test, else PATH.
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        return Environment.ProcessPath is { } current && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (gate)
        {
            output.Enqueue(line);
            while (output.Count > MaxOutputLines)
            {
                output.Dequeue();
            }
        }
    }

    private void KillOnExit(object? sender, EventArgs e)
    {
        try
        {
            process?.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
