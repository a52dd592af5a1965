using System.Diagnostics;
using System.Text;
using Bbs.Etcd;
using Bbs.Store;
using Bbs.Store.Etcd;
using Bbs.Testing.Etcd;
using Bbs.Testing.Peers;

namespace Bbs.Server.Tests.Cluster;

/// <summary>
/// Three real server processes (A, B, C) on one private etcd, each with its own port, uuid and advertise URL, a
/// lock TTL of 3 s (retry 1 s) and a convergence pass every second, all sending auctions to one fake auctioneer.
/// The etcd must be private: the lock key is global, so servers of other tests on a shared etcd would compete for it
/// (with <c>ETCD_ENDPOINTS</c> set, nothing is started and the tests are skipped). Every child process is killed on
/// dispose, whatever the tests did.
/// </summary>
public sealed class BbsCluster : IAsyncLifetime
{
    public static readonly TimeSpan LockTtl = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(40);

    private static readonly string[] Names = ["A", "B", "C"];

    private EtcdServer? etcd;

    public IReadOnlyList<BbsProcess> Processes { get; private set; } = [];

    public FakeAuctioneer Auctioneer { get; private set; } = null!;

    /// <summary>A store client of the test's own on the cluster's etcd, for fixture writes.</summary>
    public IKeyValueStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (EtcdServer.CannotControlReason is not null)
        {
            return;
        }

        try
        {
            etcd = await EtcdServer.StartNewAsync(allowExternal: false);
            Store = EtcdKeyValueStore.Create(new EtcdClientOptions { Endpoints = [.. etcd.ClientUrls] });
            Auctioneer = await FakeAuctioneer.StartAsync();
            var shared = new Dictionary<string, string>
            {
                ["Bbs:store"] = "etcd",
                ["Bbs:etcd_endpoints"] = string.Join(',', etcd.ClientUrls),
                ["Bbs:auctioneer_address"] = Auctioneer.Url,
                ["Bbs:auction_batch_window"] = "00:00:00.010",
                ["Bbs:lock_ttl"] = "00:00:03",
                ["Bbs:lock_retry_interval"] = "00:00:01",
                ["Bbs:converge_repeat_interval"] = "00:00:01",
            };
            Processes = [.. Names.Select(name => new BbsProcess(name, $"bbs-{name.ToLowerInvariant()}-{Guid.NewGuid():N}"[..14], BbsProcess.FreePort(), shared))];
            foreach (var process in Processes)
            {
                process.Start();
            }

            await Task.WhenAll(Processes.Select(p => p.WaitUntilReadyAsync(StartTimeout)));
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var process in Processes)
        {
            await process.DisposeAsync();
        }

        if (Store is not null)
        {
            await Store.DisposeAsync();
        }

        if (Auctioneer is not null)
        {
            await Auctioneer.DisposeAsync();
        }

        if (etcd is not null)
        {
            await etcd.DisposeAsync();
        }
    }

    /// <summary>
    /// Polls the /readyz of <paramref name="among"/> until exactly one reports itself as the leader and every other
    /// one names that same leader; returns it.
    /// </summary>
    public static async Task<BbsProcess> WaitForOneLeaderAsync(IReadOnlyList<BbsProcess> among, TimeSpan timeout)
    {
        var elapsed = Stopwatch.StartNew();
        var last = string.Empty;
        while (true)
        {
            var states = await Task.WhenAll(among.Select(async p => (Process: p, Ready: await p.ReadyzAsync())));
            var leaders = states.Where(s => s.Ready?.LeadsItself == true).ToList();
            if (leaders.Count == 1 && states.All(s => s.Ready?.LeaderId == leaders[0].Process.Id))
            {
                return leaders[0].Process;
            }

            last = string.Join("; ", states.Select(s => $"{s.Process.Name} ({s.Process.Id}): leader {s.Ready?.Leader ?? "(no answer)"}"));
            if (elapsed.Elapsed > timeout)
            {
                throw new TimeoutException($"no single agreed leader within {timeout.TotalSeconds} s: {last}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Every process's recent output, for a failure message.</summary>
    public string Diagnostics()
    {
        var text = new StringBuilder();
        foreach (var process in Processes)
        {
            text.Append("===== ").Append(process.Name).Append(" (").Append(process.Id).Append(", ").Append(process.IsRunning ? "running" : "not running").AppendLine(") =====");
            text.AppendLine(process.RecentOutput);
        }

        return text.ToString();
    }
}
