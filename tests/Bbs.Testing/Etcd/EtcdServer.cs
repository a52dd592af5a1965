using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Bbs.Testing.Etcd;

/// <summary>
/// A private, single-member etcd for tests: the <c>etcd</c> found on PATH, on 127.0.0.1 with free ports and a temp
/// data dir, killed and deleted on dispose. <see cref="StopAsync"/> and <see cref="StartAsync"/> restart it on the
/// same data dir and ports. When <c>ETCD_ENDPOINTS</c> is set (comma-separated client URLs), that cluster is used
/// instead and nothing is started; it cannot be stopped. Without either, starting fails with an explanation.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    public const string EndpointsVariable = "ETCD_ENDPOINTS";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly string? _executable;
    private readonly string? _dataDir;
    private readonly EtcdTls? _tls;
    private readonly BoundedLog _output = new(maxLines: 300);
    private readonly string _name;
    private readonly IReadOnlyList<string> _extraArguments;
    private string? _initialCluster;
    private string? _clusterToken;
    private int _clientPort;
    private int _peerPort;
    private Process? _process;

    private EtcdServer(IReadOnlyList<Uri> externalUrls)
    {
        ClientUrls = externalUrls;
        _name = "external";
        _extraArguments = [];
    }

    private EtcdServer(string executable, string dataDir, EtcdTls? tls, string name, IReadOnlyList<string> extraArguments)
    {
        _executable = executable;
        _dataDir = dataDir;
        _tls = tls;
        _name = name;
        _extraArguments = extraArguments;
        ClientUrls = [];
    }

    /// <summary>This member's name in its cluster.</summary>
    public string Name => _name;

    /// <summary>The pid of the running etcd process, or null when stopped (or external).</summary>
    public int? Pid => _process?.Id;

    /// <summary>Client URLs to connect to.</summary>
    public IReadOnlyList<Uri> ClientUrls { get; private set; }

    public Uri ClientUrl => ClientUrls[0];

    /// <summary>True when this is the cluster named by <c>ETCD_ENDPOINTS</c>, not a process of ours.</summary>
    public bool IsExternal => _executable is null;

    /// <summary>TLS material (CA, client certificate and key as PEM files) when started with TLS; else null.</summary>
    public EtcdTls? Tls => _tls;

    /// <summary>The last lines etcd wrote to stdout/stderr, for failure messages.</summary>
    public string RecentOutput => _output.ToString();

    /// <summary>
    /// The reason tests that must stop or restart etcd cannot run, or null when they can
    /// (they cannot with <c>ETCD_ENDPOINTS</c>, as the cluster is not ours).
    /// </summary>
    public static string? CannotControlReason =>
        string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EndpointsVariable))
            ? null
            : $"{EndpointsVariable} is set, so tests use an external etcd that they cannot stop, restart or configure.";

    /// <summary>
    /// Starts a private etcd (or attaches to <c>ETCD_ENDPOINTS</c>) and returns once it is healthy.
    /// With <paramref name="tls"/>, the private etcd serves https and requires client certificates.
    /// <paramref name="extraArguments"/> are added to etcd's command line (e.g. <c>--auth-token-ttl</c>); a server
    /// started with them is always private.
    /// </summary>
    public static async Task<EtcdServer> StartNewAsync(bool tls = false, bool allowExternal = true, IReadOnlyList<string>? extraArguments = null, CancellationToken cancellationToken = default)
    {
        string? external = Environment.GetEnvironmentVariable(EndpointsVariable);
        if (allowExternal && !tls && extraArguments is not { Count: > 0 } && !string.IsNullOrWhiteSpace(external))
        {
            var urls = external.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => new Uri(u)).ToList();
            return new EtcdServer(urls);
        }

        string executable = Executable();
        string dataDir = Path.Combine(Path.GetTempPath(), "bbs-etcd-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var server = new EtcdServer(executable, Path.Combine(dataDir, "data"), tls ? EtcdTls.Create(Path.Combine(dataDir, "tls")) : null, "bbs-test", extraArguments ?? []);
        try
        {
            // Free ports are picked by binding port 0 and releasing it; another process may grab one in between.
            for (int attempt = 1; ; attempt++)
            {
                server._clientPort = FreePort();
                server._peerPort = FreePort();
                try
                {
                    await server.StartAsync(cancellationToken).ConfigureAwait(false);
                    return server;
                }
                catch (EtcdStartException) when (attempt < 3 && server.RecentOutput.Contains("address already in use", StringComparison.Ordinal))
                {
                }
            }
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A member of a cluster that <see cref="EtcdCluster"/> starts: its ports are chosen, it is not started.</summary>
    internal static EtcdServer NewMember(string name, string root, int clientPort, int peerPort, IReadOnlyList<string> extraArguments)
    {
        Directory.CreateDirectory(root);
        return new EtcdServer(Executable(), Path.Combine(root, "data"), tls: null, name, extraArguments)
        {
            _clientPort = clientPort,
            _peerPort = peerPort,
        };
    }

    internal string PeerUrl => $"http://127.0.0.1:{_peerPort}";

    internal void JoinCluster(string initialCluster, string token)
    {
        _initialCluster = initialCluster;
        _clusterToken = token;
    }

    /// <summary>Starts etcd again on the same data dir and ports (after <see cref="StopAsync"/>); returns once healthy.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        EnsureOwned();
        if (_process is not null)
        {
            throw new InvalidOperationException("etcd is already running.");
        }

        string scheme = _tls is null ? "http" : "https";
        string clientAddress = $"{scheme}://127.0.0.1:{_clientPort}";
        var clientUrl = new Uri(clientAddress);
        string peerUrl = $"http://127.0.0.1:{_peerPort}";
        var start = new ProcessStartInfo(_executable!)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            "--name", _name,
            "--data-dir", _dataDir!,
            "--listen-client-urls", clientAddress,
            "--advertise-client-urls", clientAddress,
            "--listen-peer-urls", peerUrl,
            "--initial-advertise-peer-urls", peerUrl,
            "--initial-cluster", _initialCluster ?? $"{_name}={peerUrl}",
            "--initial-cluster-state", "new",
            "--initial-cluster-token", _clusterToken ?? "bbs-test-" + _peerPort,

            // A single member elects itself quickly with short raft timings; they also shorten the minimum lease TTL.
            "--heartbeat-interval", "50",
            "--election-timeout", "500",

            // Watches that ask for progress notifications get them every second instead of every ten minutes.
            "--experimental-watch-progress-notify-interval", "1s",
            "--logger", "zap",
            "--log-level", "warn",
        ];
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (string argument in _extraArguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (_tls is not null)
        {
            foreach (string argument in (string[])["--cert-file", _tls.ServerCertFile, "--key-file", _tls.ServerKeyFile, "--client-cert-auth", "--trusted-ca-file", _tls.CaFile])
            {
                start.ArgumentList.Add(argument);
            }
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => _output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => _output.Add(e.Data);
        _output.Add($"--- starting {_executable} {string.Join(' ', start.ArgumentList)}");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        AppDomain.CurrentDomain.ProcessExit += KillOnExit;
        ClientUrls = [clientUrl];

        try
        {
            await WaitUntilHealthyAsync(process, clientUrl, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await StopAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Turns on etcd's authentication with a <c>root</c> user of <paramref name="rootPassword"/> (the user etcd
    /// requires before auth can be enabled), through dotnet-etcd as an operator's tool would. Plain http only.
    /// </summary>
    public async Task EnableAuthAsync(string rootPassword)
    {
        EnsureOwned();
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(ClientUrl);
        using var admin = new dotnet_etcd.EtcdClient(channel.CreateCallInvoker());
        await admin.UserAddAsync(new Etcdserverpb.AuthUserAddRequest { Name = "root", Password = rootPassword }).ConfigureAwait(false);
        await admin.UserGrantRoleAsync(new Etcdserverpb.AuthUserGrantRoleRequest { User = "root", Role = "root" }).ConfigureAwait(false);
        await admin.AuthEnableAsync(new Etcdserverpb.AuthEnableRequest()).ConfigureAwait(false);
    }

    /// <summary>Kills etcd (SIGKILL, like a crash) and waits for it to exit. Data dir and ports are kept.</summary>
    public async Task StopAsync()
    {
        EnsureOwned();
        var process = _process;
        if (process is null)
        {
            return;
        }

        _process = null;
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        await process.WaitForExitAsync().ConfigureAwait(false);
        process.Dispose();
        _output.Add("--- stopped");
    }

    public async ValueTask DisposeAsync()
    {
        if (IsExternal)
        {
            return;
        }

        await StopAsync().ConfigureAwait(false);
        string root = Path.GetDirectoryName(_dataDir!)!;
        for (int attempt = 0; attempt < 5 && Directory.Exists(root); attempt++)
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                await Task.Delay(100).ConfigureAwait(false);
            }
        }
    }

    private async Task WaitUntilHealthyAsync(Process process, Uri clientUrl, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(_tls?.CreateHandler() ?? new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(2) };
        var healthUrl = new Uri(clientUrl, "/health");
        var deadline = Stopwatch.StartNew();
        string lastProblem = "no answer yet";
        while (deadline.Elapsed < ReadyTimeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                // Let the output readers drain what etcd wrote before it died.
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                throw new EtcdStartException($"etcd exited with code {process.ExitCode} before it became healthy.\n{RecentOutput}");
            }

            try
            {
                using var response = await http.GetAsync(healthUrl, cancellationToken).ConfigureAwait(false);
                string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK && body.Contains("\"true\"", StringComparison.Ordinal))
                {
                    return;
                }

                lastProblem = $"{(int)response.StatusCode} {body}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                lastProblem = ex.Message;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        throw new EtcdStartException($"etcd at {clientUrl} did not become healthy within {ReadyTimeout} (last: {lastProblem}).\n{RecentOutput}");
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

    private void EnsureOwned()
    {
        if (IsExternal)
        {
            throw new NotSupportedException(CannotControlReason);
        }
    }

    private static string Executable() => FindOnPath("etcd") ?? throw new InvalidOperationException(
        $"These tests need a real etcd, but there is no 'etcd' executable on PATH and {EndpointsVariable} is not set. " +
        $"Install etcd (e.g. 'apt-get install etcd-server') or set {EndpointsVariable}=http://host:2379[,...].");

    internal static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string? FindOnPath(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>etcd could not be started or did not become healthy; the message includes its recent output.</summary>
public sealed class EtcdStartException(string message) : Exception(message);
