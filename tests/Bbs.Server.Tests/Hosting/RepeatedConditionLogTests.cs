using System.Text.Json;
using Bbs.Server.Tests.Cluster;
using Bbs.Testing.Etcd;

namespace Bbs.Server.Tests.Hosting;

/// <summary>
/// An outage of etcd under a real server process is logged when it begins and when it ends, by each loop that
/// reconnects (decision 69), not once per attempt; the attempts back off.
/// </summary>
public sealed class RepeatedConditionLogTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Down = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task EtcdGoingDownIsOneLineWhenItBeginsAndOneWhenItEndsNotALinePerAttempt()
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
        var whileDown = Lines(server, before);
        await etcd.StartAsync();
        await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline && !Lines(server, before).Any(l => l.Template.StartsWith("etcd {Stream} stream reconnected", StringComparison.Ordinal)))
        {
            await Task.Delay(200);
        }

        var all = Lines(server, before);
        foreach (var line in all.Where(l => l.Level is not "Debug"))
        {
            output.WriteLine($"{line.Level}: {line.Template} ({line.Stream}, {line.Attempts})");
        }

        // The watch and lease streams and the leader election try again with backoff (the leader election's up to
        // lock_retry_interval): a line per attempt would be dozens.
        var warnings = whileDown.Where(l => l.Level is "Warning" or "Error").Select(l => l.Template).ToList();
        Assert.True(server.IsRunning, server.RecentOutput);
        Assert.NotEmpty(warnings);
        Assert.True(warnings.Count <= 8, $"{warnings.Count} warnings in {Down.TotalSeconds} s of etcd down:\n{string.Join('\n', warnings)}");

        // One line when the watch lost etcd, one when it was back, with how long and how many attempts.
        var watch = all.Where(l => l.Stream == "watch").ToList();
        Assert.Single(watch, l => l.Template.StartsWith("etcd {Stream} stream broke", StringComparison.Ordinal) || l.Template.StartsWith("etcd {Stream} stream cannot reach", StringComparison.Ordinal));
        var back = Assert.Single(watch, l => l.Template.StartsWith("etcd {Stream} stream reconnected", StringComparison.Ordinal));
        Assert.True(back.Attempts is > 0 and < 12, $"the watch reconnected after {back.Attempts} failed attempts in about {Down.TotalSeconds} s");
    }

    private static List<Line> Lines(BbsProcess server, int skip) =>
        [.. server.RecentOutput.Split('\n').Skip(skip)
            .Where(l => l.StartsWith('{'))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => new Line(
                e.TryGetProperty("@l", out var level) ? level.GetString() : "Information",
                e.GetProperty("@mt").GetString()!,
                e.TryGetProperty("Stream", out var stream) ? stream.GetString() : null,
                e.TryGetProperty("Attempts", out var attempts) ? attempts.GetInt64() : null))];

    private sealed record Line(string? Level, string Template, string? Stream, long? Attempts);
}
