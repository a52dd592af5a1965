using System.Globalization;
using Bbs.Testing.Prometheus;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Metrics;

/// <summary>
/// <c>GET /metrics</c> over real HTTP: every figure docs/operations.md lists, in Prometheus text that promtool
/// accepts, with the state gauges following writes at once.
/// </summary>
public abstract class MetricsEndpointTests<TServer>(TServer server)
    where TServer : MetricsProcess
{
    /// <summary>The names issue 11 requires, as Prometheus shows them (histograms by their _count series).</summary>
    public static readonly string[] Required =
    [
        "bbs_requests_total", "bbs_request_duration_seconds_count",
        "bbs_lrps_desired", "bbs_lrps_running", "bbs_lrps_claimed", "bbs_lrps_unclaimed", "bbs_lrps_missing", "bbs_lrps_extra",
        "bbs_crashed_actual_lrps", "bbs_crashing_desired_lrps",
        "bbs_tasks_pending", "bbs_tasks_running", "bbs_tasks_completed", "bbs_tasks_resolving",
        "bbs_convergence_lrp_duration_seconds_count", "bbs_convergence_task_duration_seconds_count", "bbs_convergence_lrp_runs_total",
        "bbs_domain_fresh", "bbs_lock_held", "bbs_cells_present",
        "bbs_event_subscribers", "bbs_event_subscribers_dropped_total",
        "bbs_auction_requests_total", "bbs_task_callbacks_total",
        "http_server_request_duration_seconds_count", "dotnet_gc_collections_total", "dotnet_process_memory_working_set_bytes",
    ];

    protected TServer Server { get; } = server;

    [Fact]
    public async Task EveryRequiredFigureIsExportedAndPromtoolAcceptsTheText()
    {
        var guid = TestModels.NewGuid();
        await Server.Client.UpsertDomainAsync(TestModels.Domain, TimeSpan.FromMinutes(5));
        await Server.Client.UpsertCellAsync(new Bbs.Models.CellPresence { CellId = TestModels.NewGuid("cell"), RepAddress = "http://127.0.0.1:1", Zone = "z1" }, TimeSpan.FromMinutes(5));
        await Server.Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 2));

        var text = await ScrapeAsync();

        var missing = Required.Where(name => !HasSeries(text, name)).ToList();
        Assert.True(missing.Count == 0, "missing: " + string.Join(", ", missing));
        Assert.Contains("bbs_requests_total{otel_scope_name=\"Bbs.Server\",route=\"DesireDesiredLRP\"}", text, StringComparison.Ordinal);
        Assert.Contains($"bbs_domain_fresh{{otel_scope_name=\"Bbs.Server\",domain=\"{TestModels.Domain}\"}} 1", text, StringComparison.Ordinal);
        Assert.Equal(1, Value(text, "bbs_lock_held"));
        if (Server.StoreName == "etcd")
        {
            Assert.Contains("bbs_etcd_request_duration_seconds_count{otel_scope_name=\"Bbs.Etcd\",operation=\"txn\",outcome=\"ok\"}", text, StringComparison.Ordinal);
        }

        var (exit, output) = await Tools.PromtoolAsync(["check", "metrics"], text);
        Assert.True(exit == 0, "promtool check metrics: " + output);
    }

    [Fact]
    public async Task TheStateGaugesFollowWritesAtOnce()
    {
        var before = Value(await ScrapeAsync(), "bbs_lrps_desired");
        var unclaimedBefore = Value(await ScrapeAsync(), "bbs_lrps_unclaimed");
        await Server.Client.DesireLrpAsync(TestModels.DesiredLrp(TestModels.NewGuid(), 3));
        await Server.Client.ActualLrpsAsync();

        var text = await ScrapeAsync();
        Assert.Equal(before + 3, Value(text, "bbs_lrps_desired"));
        Assert.Equal(unclaimedBefore + 3, Value(text, "bbs_lrps_unclaimed"));
    }

    [Fact]
    public async Task TheMetricsListenerServesOnlyTheProbesAndTheApiListenerStillServesMetrics()
    {
        using var probes = new HttpClient { BaseAddress = Server.MetricsUrl };
        Assert.Contains("bbs_lock_held", await probes.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
        using (var health = await probes.GetAsync(new Uri("/healthz", UriKind.Relative)))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
        }

        using (var ready = await probes.GetAsync(new Uri("/readyz", UriKind.Relative)))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        }

        using (var api = await probes.PostAsync(new Uri("/v1/ping", UriKind.Relative), null))
        {
            Assert.Equal(System.Net.HttpStatusCode.NotFound, api.StatusCode);
        }

        Assert.Contains("bbs_lock_held", await Server.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnIncomingVcapRequestIdIsTheTraceIdOfTheRequestsLogLines()
    {
        var requestId = Guid.NewGuid();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/ping", UriKind.Relative));
        request.Headers.Add("X-Vcap-Request-Id", requestId.ToString());
        using var response = await Server.Http.SendAsync(request);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        string? line = null;
        while (line is null && DateTime.UtcNow < deadline)
        {
            line = Server.Process.RecentOutput.Split('\n').FirstOrDefault(l => l.Contains(requestId.ToString(), StringComparison.Ordinal) && l.Contains("/v1/ping", StringComparison.Ordinal));
            await Task.Delay(50);
        }

        Assert.NotNull(line);
        Assert.Contains($"\"@tr\":\"{requestId:N}\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARealPrometheusScrapingTheServerSeesTheDesiredInstances()
    {
        await using var prometheus = await PrometheusServer.StartAsync([Server.MetricsUrl.Authority]);
        await Server.Client.DesireLrpAsync(TestModels.DesiredLrp(TestModels.NewGuid(), 4));
        var expected = Value(await ScrapeAsync(), "bbs_lrps_desired");

        double? seen = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (seen != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            seen = await prometheus.QueryAsync("bbs_lrps_desired{job=\"bbs\"}");
        }

        Assert.True(seen == expected, $"Prometheus shows bbs_lrps_desired {seen?.ToString(CultureInfo.InvariantCulture) ?? "absent"}, the server {expected}; targets: {string.Join(", ", await prometheus.TargetHealthAsync())}\n{prometheus.RecentOutput}");
        Assert.True(expected >= 4);
    }

    private async Task<string> ScrapeAsync()
    {
        // The view is fenced by the read before; the scrape then counts its latest snapshot.
        await Server.Client.ActualLrpsAsync();
        return await Server.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
    }

    private static bool HasSeries(string text, string name) =>
        text.Split('\n').Any(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal));

    /// <summary>The value of the one series of <paramref name="name"/>.</summary>
    internal static double Value(string text, string name)
    {
        var line = Assert.Single(text.Split('\n'), l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
}

public sealed class EmbeddedMetricsEndpointTests(EmbeddedMetricsProcess server) : MetricsEndpointTests<EmbeddedMetricsProcess>(server), IClassFixture<EmbeddedMetricsProcess>;

public sealed class EtcdMetricsEndpointTests(EtcdMetricsProcess server) : MetricsEndpointTests<EtcdMetricsProcess>(server), IClassFixture<EtcdMetricsProcess>;
