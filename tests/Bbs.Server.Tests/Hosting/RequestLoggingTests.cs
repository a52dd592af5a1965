using System.Text.Json;
using Bbs.Server.Tests.Cluster;

namespace Bbs.Server.Tests.Hosting;

/// <summary>
/// Request log lines as a real server process writes them to stdout (Serilog.AspNetCore's request logging), and
/// Serilog levels set from configuration (Serilog.Settings.Configuration) beside <c>log_level</c>.
/// </summary>
public sealed class RequestLoggingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task EachRequestIsOneDebugLineWithRouteStatusElapsedAndTheCallersRequestId()
    {
        await using var server = Start(new() { ["Bbs:log_level"] = "debug" });
        await server.WaitUntilReadyAsync(Patience);

        using var ping = new HttpRequestMessage(HttpMethod.Post, "/v1/ping");
        ping.Headers.Add("X-Vcap-Request-Id", "vcap-1234");
        using var answered = await server.Http.SendAsync(ping);
        using var missing = await server.Http.PostAsync(new Uri("/v1/nowhere", UriKind.Relative), null);

        var pingLine = await LineAsync(server, l => l.TryGetProperty("RequestId", out var id) && id.GetString() == "vcap-1234");
        var missingLine = await LineAsync(server, l => l.TryGetProperty("RequestPath", out var path) && path.GetString() == "/v1/nowhere");

        var properties = pingLine;
        Assert.Equal("Debug", pingLine.GetProperty("@l").GetString());
        Assert.Equal("Ping", properties.GetProperty("RouteName").GetString());
        Assert.Equal(200, properties.GetProperty("StatusCode").GetInt32());
        Assert.True(properties.GetProperty("Elapsed").GetDouble() >= 0);

        // Without the caller's header, the request id is the trace id: 32 hex digits.
        var generated = missingLine.GetProperty("RequestId").GetString();
        Assert.Equal(404, missingLine.GetProperty("StatusCode").GetInt32());
        Assert.Matches("^[0-9a-f]{32}$", generated);
    }

    [Fact]
    public async Task SerilogLevelsFromConfigurationOverrideLogLevel()
    {
        // log_level=debug would log every request; the Serilog section silences the request logger alone.
        await using var server = Start(new()
        {
            ["Bbs:log_level"] = "debug",
            ["Serilog:MinimumLevel:Override:Serilog.AspNetCore.RequestLoggingMiddleware"] = "Warning",
        });
        await server.WaitUntilReadyAsync(Patience);

        using var ping = new HttpRequestMessage(HttpMethod.Post, "/v1/ping");
        ping.Headers.Add("X-Vcap-Request-Id", "vcap-silenced");
        using var answered = await server.Http.SendAsync(ping);
        await Task.Delay(500);

        Assert.True(answered.IsSuccessStatusCode);
        Assert.DoesNotContain("vcap-silenced", server.RecentOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoppingManyInstancesOnAnUnreachableRepIsOneLogLineNotOnePerInstance()
    {
        await using var server = Start(new() { ["Bbs:log_level"] = "info" });
        await server.WaitUntilReadyAsync(Patience);
        var client = server.Client;
        string cellId = "unreachable-" + Guid.NewGuid().ToString("N")[..8];
        await client.UpsertCellAsync(new Bbs.Models.CellPresence { CellId = cellId, RepAddress = "http://127.0.0.1:9", Zone = "z1" }, TimeSpan.FromMinutes(10));
        string guid = "many-" + Guid.NewGuid().ToString("N")[..8];
        await client.DesireLrpAsync(Support.Models.DesiredLrp(guid, 10));
        var cell = Support.Models.InstanceKey(cellId);
        for (int i = 0; i < 10; i++)
        {
            await client.ClaimActualLrpAsync(guid, i, cell);
            await client.StartActualLrpAsync(Support.Models.Key(guid, i), cell, Support.Models.NetInfo());
        }

        // Scaling down retires 9 running instances whose rep cannot be reached.
        await client.UpdateDesiredLrpAsync(guid, new Bbs.Models.DesiredLRPUpdate { Instances = 1 });
        var line = await LineAsync(server, l => l.GetProperty("@mt").GetString()!.StartsWith("could not ask the reps to stop", StringComparison.Ordinal));
        await Task.Delay(500);

        Assert.Equal(9, line.GetProperty("Count").GetInt32());
        Assert.Equal(1, server.RecentOutput.Split('\n').Count(l => l.Contains("could not ask the reps to stop", StringComparison.Ordinal)));
    }

    private static BbsProcess Start(Dictionary<string, string> settings)
    {
        settings["Bbs:store"] = "embedded";
        var process = new BbsProcess("log", "bbs-log-" + Guid.NewGuid().ToString("N")[..6], BbsProcess.FreePort(), settings);
        process.Start();
        return process;
    }

    private static async Task<JsonElement> LineAsync(BbsProcess server, Func<JsonElement, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            foreach (string line in server.RecentOutput.Split('\n'))
            {
                if (!line.StartsWith('{'))
                {
                    continue;
                }

                using var document = JsonDocument.Parse(line);
                if (document.RootElement.TryGetProperty("@mt", out _) && match(document.RootElement))
                {
                    return document.RootElement.Clone();
                }
            }

            Assert.False(timeout.IsCancellationRequested, "no such log line:\n" + server.RecentOutput);
            await Task.Delay(100);
        }
    }
}
