using Grpc.Core;
using Etcdserverpb;
using Mvccpb;
using Bbs.Testing.Etcd;
using Bbs.Testing.Logging;
using Xunit.Abstractions;
using static Bbs.Etcd.Tests.TestSupport;

namespace Bbs.Etcd.Tests;

/// <summary>Restarts its own etcd, so it runs beside (not inside) the shared-etcd collection.</summary>
public sealed class RestartTests(ITestOutputHelper output)
{
    private readonly TestLogger _logger = new(output);
    private readonly string _prefix = TestKeys.UniquePrefix();

    [PrivateEtcdFact]
    public async Task CallsWatchesAndKeepAlivesRecoverWhenEtcdRestartsUnderTheClient()
    {
        await using var server = await EtcdServer.StartNewAsync(allowExternal: false);
        await using var client = NewClient(server.ClientUrls, _logger);
        long start = await client.PutAsync(_prefix + "before", "0") + 1;
        await using var watch = new WatchRecorder(client, WatchPrefix(_prefix, start));
        var lease = await client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 6 }, CancellationToken.None);
        await using var keepAlive = await client.KeepAliveAsync(lease.ID, CancellationToken.None);
        await client.PutAsync(_prefix + "k1", "1");
        await watch.WaitForEventsAsync(1);

        await server.StopAsync();
        var whileDown = await Assert.ThrowsAsync<EtcdUnavailableException>(() => client.PutAsync(_prefix + "lost", "x"));
        await server.StartAsync();

        long k2 = await client.PutAsync(_prefix + "k2", "2");
        long k3 = await client.PutAsync(_prefix + "k3", "3");
        var events = await watch.WaitForEventsAsync(3);

        // Outlive the lease's TTL after the restart: only renewals over the reconnected stream can keep it.
        await Task.Delay(TimeSpan.FromSeconds(6.5));
        long ttl = (await client.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = lease.ID }, CancellationToken.None)).TTL;

        Assert.Equal([$"{_prefix}k1", $"{_prefix}k2", $"{_prefix}k3"], watch.Events.Select(e => e.Kv.Key.ToStringUtf8()));
        Assert.Equal([k2, k3], events.Skip(1).Select(e => e.Kv.ModRevision));
        Assert.Equal(StatusCode.Unavailable, whileDown.StatusCode);
        Assert.Null(await client.GetAsync(_prefix + "lost"));
        Assert.InRange(ttl, 0, 7);
        Assert.False(keepAlive.Lost.IsCompleted, "the keep-alive must survive the restart");
        Assert.Contains(_logger.Entries, e => e.EventId.Id == 4 && e.Message.Contains("watch", StringComparison.Ordinal));
    }
}
