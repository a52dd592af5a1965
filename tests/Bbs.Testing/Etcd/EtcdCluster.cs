using Bbs.Etcd;

namespace Bbs.Testing.Etcd;

/// <summary>
/// A private etcd cluster of several members on loopback (free ports, temp data dirs), for failover tests: any
/// member can be killed (<see cref="EtcdServer.StopAsync"/>) and started again on its data dir. Never
/// <c>ETCD_ENDPOINTS</c>: tests that kill members must own them.
/// </summary>
public sealed class EtcdCluster : IAsyncDisposable
{
    private readonly string _root;

    private EtcdCluster(string root, IReadOnlyList<EtcdServer> members)
    {
        _root = root;
        Members = members;
    }

    public IReadOnlyList<EtcdServer> Members { get; }

    /// <summary>Every member's client URL, for a client that may talk to any of them.</summary>
    public IReadOnlyList<Uri> ClientUrls => [.. Members.SelectMany(m => m.ClientUrls)];

    /// <summary>Starts <paramref name="size"/> members together and returns once each is healthy (the cluster has a leader).</summary>
    public static async Task<EtcdCluster> StartNewAsync(int size = 3, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        string root = Path.Combine(Path.GetTempPath(), "bbs-etcd-cluster-" + Guid.NewGuid().ToString("N"));
        var members = Enumerable.Range(0, size)
            .Select(i => EtcdServer.NewMember($"member{i}", Path.Combine(root, $"member{i}"), EtcdServer.FreePort(), EtcdServer.FreePort(), []))
            .ToList();
        string initialCluster = string.Join(',', members.Select(m => $"{m.Name}={m.PeerUrl}"));
        foreach (var member in members)
        {
            member.JoinCluster(initialCluster, "bbs-cluster-" + Path.GetFileName(root));
        }

        var cluster = new EtcdCluster(root, members);
        try
        {
            await Task.WhenAll(members.Select(m => m.StartAsync(cancellationToken))).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The index in <see cref="Members"/> of the raft leader, as the running members report it.</summary>
    public async Task<int> LeaderAsync(EtcdClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        for (int i = 0; i < Members.Count; i++)
        {
            if (Members[i].Pid is null)
            {
                continue;
            }

            var status = await client.StatusAsync(Members[i].ClientUrl, cancellationToken).ConfigureAwait(false);
            if (status.Leader == status.Header.MemberId)
            {
                return i;
            }
        }

        throw new InvalidOperationException("no running member says it is the leader");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in Members)
        {
            await member.DisposeAsync().ConfigureAwait(false);
        }

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
