using System.Text.Json;
using Bbs.Server.Tests.Cluster;
using Bbs.Testing.Etcd;

namespace Bbs.Server.Tests.Hosting;

/// <summary>A condition that repeats (etcd down) is logged when it begins and then with a count, not once per attempt.</summary>
public sealed class RepeatedConditionLogTests
{
    private static readonly TimeSpan Down = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task EtcdGoingDownIsAFewLinesWithCountsNotALinePerAttempt()
    {
        await using var etcd = await EtcdServer.StartNewAsync();
        var settings = new Dictionary<string, string>
        {
            ["Bbs:store"] = "etcd",
            ["Bbs:etcd_endpoints"] = string.Join(',', etcd.ClientUrls),
            ["Bbs:lock_retry_interval"] = "200ms",
        };
        await using var server = new BbsProcess("etcd-down", "etcd-down", BbsProcess.FreePort(), settings);
        server.Start();
        await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        int before = server.RecentOutput.Split('\n').Length;

        await etcd.StopAsync();
        await Task.Delay(Down);

        // The view, the watch and lease streams and the leader election each retry about once a second (more while
        // etcd still refuses connections at once): a line per attempt would be dozens.
        var warnings = server.RecentOutput.Split('\n').Skip(before)
            .Where(l => l.StartsWith('{'))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("@l", out var level) && level.GetString() is "Warning" or "Error")
            .Select(e => e.GetProperty("@mt").GetString()!)
            .ToList();
        Assert.True(server.IsRunning, server.RecentOutput);
        Assert.NotEmpty(warnings);
        Assert.True(warnings.Count <= 8, $"{warnings.Count} warnings in {Down.TotalSeconds} s of etcd down:\n{string.Join('\n', warnings)}");
    }
}
