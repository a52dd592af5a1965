using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Bbs.Etcd;
using Bbs.Testing.Etcd;

namespace Bbs.Faults.Cluster;

/// <summary>
/// What the faults act on: a 3-member etcd cluster on loopback (<see cref="EtcdCluster"/>) and a few Bbs.Server
/// processes on it, each behind a <see cref="DropProxy"/> that the writers go through. Everything is killed and the
/// data dirs deleted on dispose.
/// </summary>
public sealed class FaultCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private FaultCluster(EtcdCluster etcd, EtcdClient etcdClient, IReadOnlyList<ServerNode> servers, IReadOnlyList<DropProxy> proxies)
    {
        Etcd = etcd;
        EtcdClient = etcdClient;
        Servers = servers;
        Proxies = proxies;
    }

    public EtcdCluster Etcd { get; }

    /// <summary>A client of the harness's own on every member, for member status (who leads raft).</summary>
    public EtcdClient EtcdClient { get; }

    public IReadOnlyList<ServerNode> Servers { get; }

    /// <summary>One relay per server, same order.</summary>
    public IReadOnlyList<DropProxy> Proxies { get; }

    public static async Task<FaultCluster> StartAsync(string serverDll, FaultOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var etcd = await EtcdCluster.StartNewAsync(3, cancellationToken).ConfigureAwait(false);
        var etcdClient = new EtcdClient(new EtcdClientOptions { Endpoints = [.. etcd.ClientUrls], RequestTimeout = TimeSpan.FromSeconds(5) });
        var settings = new Dictionary<string, string>
        {
            ["Bbs:store"] = "etcd",
            ["Bbs:etcd_endpoints"] = string.Join(',', etcd.ClientUrls.Select(u => u.GetLeftPart(UriPartial.Authority))),
            ["Bbs:lock_ttl"] = options.LockTtl.ToString("c", CultureInfo.InvariantCulture),
            ["Bbs:lock_retry_interval"] = options.LockRetryInterval.ToString("c", CultureInfo.InvariantCulture),
            ["Bbs:log_level"] = "warn",
        };
        var servers = Enumerable.Range(0, options.Servers)
            .Select(i => new ServerNode(((char)('A' + i)).ToString(), serverDll, FreePort(), settings))
            .ToList();
        var proxies = servers.Select(s => new DropProxy(s.Url)).ToList();
        var cluster = new FaultCluster(etcd, etcdClient, servers, proxies);
        try
        {
            foreach (var server in servers)
            {
                server.Start();
            }

            await Task.WhenAll(servers.Select(s => s.WaitUntilReadyAsync(StartTimeout, cancellationToken))).ConfigureAwait(false);
            await cluster.WaitForLeaderAsync(StartTimeout, cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Index of the etcd member that leads raft.</summary>
    public Task<int> EtcdLeaderAsync(CancellationToken cancellationToken) => Etcd.LeaderAsync(EtcdClient, cancellationToken);

    /// <summary>The server whose /readyz says it holds the lock, among those answering; null when none does.</summary>
    public async Task<ServerNode?> LeaderAsync(CancellationToken cancellationToken)
    {
        var leads = await Task.WhenAll(Servers.Select(s => s.LeadsAsync(cancellationToken))).ConfigureAwait(false);
        return Servers.Where((_, i) => leads[i]).SingleOrDefault();
    }

    /// <summary>Polls every 50 ms until some server other than <paramref name="except"/> leads; returns it and the time taken.</summary>
    public async Task<ServerNode> WaitForLeaderAsync(TimeSpan timeout, CancellationToken cancellationToken, ServerNode? except = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var candidates = Servers.Where(s => s != except).ToList();
            var leads = await Task.WhenAll(candidates.Select(s => s.LeadsAsync(cancellationToken))).ConfigureAwait(false);
            if (candidates.Where((_, i) => leads[i]).FirstOrDefault() is { } leader)
            {
                return leader;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"no server took the lock within {timeout.TotalSeconds} s");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every server's recent output, for failure messages.</summary>
    public string Diagnostics()
    {
        var text = new StringBuilder();
        foreach (var server in Servers)
        {
            text.Append("===== ").Append(server.Name).Append(" (").Append(server.Id).Append(server.IsRunning ? ", running" : ", not running").AppendLine(") =====");
            text.AppendLine(server.RecentOutput);
        }

        foreach (var member in Etcd.Members)
        {
            text.Append("===== etcd ").Append(member.Name).AppendLine(" =====").AppendLine(member.RecentOutput);
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var proxy in Proxies)
        {
            await proxy.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var server in Servers)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }

        await EtcdClient.DisposeAsync().ConfigureAwait(false);
        await Etcd.DisposeAsync().ConfigureAwait(false);
    }

    private static int FreePort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}
