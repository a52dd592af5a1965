using Bbs.Server.Tests.Cluster;
using Bbs.Testing.Peers;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Metrics;

/// <summary>
/// With <c>otlp_endpoint</c> set, a real server process exports traces (each request, each store call) and metrics
/// to an OTLP/HTTP receiver.
/// </summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task RequestTracesAndMetricsReachTheCollector()
    {
        await using var collector = await FakeOtlpCollector.StartAsync();
        await using var server = new BbsProcess("O", "bbs-otlp-" + Guid.NewGuid().ToString("N")[..8], BbsProcess.FreePort(), new Dictionary<string, string>
        {
            ["Bbs:store"] = "embedded",
            ["Bbs:otlp_endpoint"] = collector.Url,
            ["Bbs:otlp_protocol"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        });
        server.Start();
        await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(40));

        var guid = TestModels.NewGuid();
        await server.Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));

        var trace = await collector.WaitForAsync(r => r.Path == "/v1/traces" && r.Body.Contains("/v1/desired_lrp/desire.r2", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Assert.Equal("application/x-protobuf", trace.ContentType);
        await collector.WaitForAsync(r => r.Path == "/v1/metrics" && r.Body.Contains("bbs_lrps_desired", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
    }
}
