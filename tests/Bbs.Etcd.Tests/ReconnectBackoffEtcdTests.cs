using System.Diagnostics;
using Bbs.Testing.Etcd;
using Bbs.Testing.Logging;
using Etcdserverpb;
using Xunit.Abstractions;
using static Bbs.Etcd.Tests.TestSupport;

namespace Bbs.Etcd.Tests;

/// <summary>
/// While a real etcd is down, the watch and keep-alive streams try again less and less often, say so once, say
/// once that they are back, and the watch loses nothing. Stops its own etcd, so it runs beside the shared collection.
/// </summary>
public sealed class ReconnectBackoffEtcdTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Down = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(250);

    private readonly TestLogger _logger = new(output);
    private readonly string _prefix = TestKeys.UniquePrefix();

    [PrivateEtcdFact]
    public async Task WhileEtcdIsDownTheStreamsBackOffAndLogTheOutageOnceThenTheWatchResumesWithoutLosingEvents()
    {
        await using var server = await EtcdServer.StartNewAsync(allowExternal: false);
        await using var client = NewClient(server.ClientUrls, _logger, o =>
        {
            o.RetryBaseDelay = BaseDelay;
            o.MaxReconnectDelay = TimeSpan.FromSeconds(30);
        });
        long start = await client.PutAsync(_prefix + "before", "0") + 1;
        await using var watch = new WatchRecorder(client, WatchPrefix(_prefix, start));
        var lease = await client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 60 }, CancellationToken.None);
        await using var keepAlive = await client.KeepAliveAsync(lease.ID, CancellationToken.None);
        await client.PutAsync(_prefix + "k1", "1");
        await watch.WaitForEventsAsync(1);

        await server.StopAsync();
        var down = Stopwatch.StartNew();
        await Task.Delay(Down / 2);
        long firstHalf = client.WatchStreamFailedAttempts;
        await Task.Delay(Down / 2);
        long watchAttempts = client.WatchStreamFailedAttempts;
        long keepAliveAttempts = client.KeepAliveStreamFailedAttempts;
        var outage = down.Elapsed;
        int linesWhileDown = _logger.Entries.Count(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Information);
        await server.StartAsync();

        long k2 = await client.PutAsync(_prefix + "k2", "2");
        long k3 = await client.PutAsync(_prefix + "k3", "3");
        var events = await watch.WaitForEventsAsync(3, TimeSpan.FromSeconds(60));
        await EventuallyAsync(() => Task.FromResult(Reconnected("watch").Count == 1 && Reconnected("lease keep-alive").Count == 1), "both streams log that they reconnected", TimeSpan.FromSeconds(60));

        // No event lost or repeated across the outage.
        Assert.Equal([$"{_prefix}k1", $"{_prefix}k2", $"{_prefix}k3"], watch.Events.Select(e => e.Kv.Key.ToStringUtf8()));
        Assert.Equal([k2, k3], events.Skip(1).Select(e => e.Kv.ModRevision));
        Assert.False(keepAlive.Lost.IsCompleted, "the keep-alive must survive the outage");

        // Pauses of at least half of 250 ms, 500 ms, 1 s, ... allow at most this many attempts in the outage (slower
        // attempts on a loaded machine only make fewer); a fixed 1.3 s interval would make outage / 1.3 s.
        int bound = MostAttempts(outage);
        double fixedInterval = outage.TotalSeconds / 1.3;
        output.WriteLine($"outage {outage.TotalSeconds:0.0} s: watch {watchAttempts} attempts ({firstHalf} in the first half), keep-alive {keepAliveAttempts}; bound {bound}, a fixed 1.3 s interval {fixedInterval:0.0}");
        Assert.InRange(watchAttempts, 2, bound);
        Assert.InRange(keepAliveAttempts, 2, bound);
        Assert.True(watchAttempts < fixedInterval * 2 / 3, $"{watchAttempts} watch attempts in {outage.TotalSeconds:0.0} s");
        Assert.True(watchAttempts - firstHalf < firstHalf, $"the attempts should thin out: {firstHalf} in the first half of the outage, {watchAttempts - firstHalf} in the second");

        // One line when each stream lost etcd, one when it came back, none per attempt.
        foreach (var stream in new[] { "watch", "lease keep-alive" })
        {
            var lost = _logger.Entries.Where(e => e.EventId.Id is 4 or 5 or 13 && e.Message.StartsWith($"etcd {stream} stream", StringComparison.Ordinal)).ToList();
            Assert.Single(lost);
            Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, lost[0].Level);
            var back = Assert.Single(Reconnected(stream));
            Assert.Contains("failed attempts", back.Message, StringComparison.Ordinal);
        }

        Assert.True(linesWhileDown < 12, $"{linesWhileDown} lines at Information or above up to the end of the outage");
    }

    private List<LogEntry> Reconnected(string stream) =>
        [.. _logger.Entries.Where(e => e.EventId.Id == 12 && e.Message.StartsWith($"etcd {stream} stream reconnected", StringComparison.Ordinal))];

    /// <summary>
    /// The most failures <see cref="ReconnectBackoff"/> allows within <paramref name="outage"/>: the first at once
    /// (the stream breaks), then the n-th after pauses that add up to at least half of base · (2^(n−1) − 1).
    /// </summary>
    private static int MostAttempts(TimeSpan outage)
    {
        int n = 1;
        while (BaseDelay.TotalSeconds / 2 * (Math.Pow(2, n) - 1) <= outage.TotalSeconds)
        {
            n++;
        }

        return n;
    }
}
