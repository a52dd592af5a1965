using Bbs.Testing.Etcd;
using Bbs.Testing.Logging;
using Etcdserverpb;
using Xunit.Abstractions;
using static Bbs.Etcd.Tests.TestSupport;

namespace Bbs.Etcd.Tests;

/// <summary>A private 3-member etcd cluster, one of whose members is killed under the client.</summary>
public sealed class ClusterTests(ITestOutputHelper output)
{
    private readonly TestLogger _logger = new(output);
    private readonly string _prefix = TestKeys.UniquePrefix();

    [PrivateEtcdFact]
    public async Task WhenTheLeaderOfThreeMembersIsKilledCallsWatchesAndKeepAlivesGoOnWithTheOtherTwo()
    {
        await using var cluster = await EtcdCluster.StartNewAsync(3);
        await using var client = NewClient(cluster.ClientUrls, _logger);
        long start = await client.PutAsync(_prefix + "before", "0") + 1;
        await using var watch = new WatchRecorder(client, WatchPrefix(_prefix, start));
        var lease = await client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 3 }, CancellationToken.None);
        await using var keepAlive = await client.KeepAliveAsync(lease.ID, CancellationToken.None);
        var acknowledged = new List<string>();
        for (int i = 0; i < 10; i++)
        {
            await client.PutAsync(_prefix + "a" + i, "x");
            acknowledged.Add("a" + i);
        }

        int leader = await cluster.LeaderAsync(client);
        await cluster.Members[leader].StopAsync();

        // Writes in flight during the election may fail (they are not resent); every acknowledged one must be seen.
        int failed = 0;
        for (int i = 0; i < 40; i++)
        {
            try
            {
                await client.PutAsync(_prefix + "b" + i, "x");
                acknowledged.Add("b" + i);
            }
            catch (EtcdException ex) when (ex is EtcdUnavailableException or EtcdDeadlineExceededException)
            {
                failed++;
                await Task.Delay(100);
            }
        }

        var events = await watch.WaitForEventsAsync(acknowledged.Count);

        // Outlive the lease's TTL: only renewals that reach the surviving members keep it.
        await Task.Delay(TimeSpan.FromSeconds(4));
        long ttl = (await client.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = lease.ID }, CancellationToken.None)).TTL;
        int newLeader = await cluster.LeaderAsync(client);

        output.WriteLine($"killed member {leader}; {failed} writes failed during the election; new leader member {newLeader}");
        Assert.Equal(acknowledged.Select(k => _prefix + k), events.Select(e => e.Kv.Key.ToStringUtf8()));
        Assert.True(acknowledged.Count - 10 >= 20, $"only {acknowledged.Count - 10} of 40 writes after the kill were acknowledged");
        Assert.NotEqual(leader, newLeader);
        Assert.InRange(ttl, 1, 3);
        Assert.False(keepAlive.Lost.IsCompleted, "the keep-alive must survive the loss of a member");
    }
}
