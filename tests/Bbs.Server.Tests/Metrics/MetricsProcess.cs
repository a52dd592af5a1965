using Bbs.Client;
using Bbs.Server.Tests.Cluster;
using Bbs.Testing.Etcd;

namespace Bbs.Server.Tests.Metrics;

/// <summary>
/// A real server process for the metrics tests. Not an in-process server: OpenTelemetry listens to meters by name
/// across the whole process, so servers hosted side by side in the test process would each export the others'
/// instruments. Here each process has its own.
/// </summary>
public abstract class MetricsProcess : IAsyncLifetime
{
    public BbsProcess Process { get; private set; } = null!;

    public BbsClient Client => Process.Client;

    public HttpClient Http => Process.Http;

    public abstract string StoreName { get; }

    /// <summary>The metrics listener (metrics_address), apart from the API.</summary>
    public Uri MetricsUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        int metricsPort = BbsProcess.FreePort();
        MetricsUrl = new Uri($"http://127.0.0.1:{metricsPort}");
        var settings = new Dictionary<string, string>(await StoreSettingsAsync())
        {
            ["Bbs:metrics_address"] = $"127.0.0.1:{metricsPort}",
            ["Bbs:converge_repeat_interval"] = "01:00:00",
            ["Bbs:log_level"] = "debug",
        };
        Process = new BbsProcess("M", "bbs-metrics-" + Guid.NewGuid().ToString("N")[..8], BbsProcess.FreePort(), settings);
        Process.Start();
        await Process.WaitUntilReadyAsync(TimeSpan.FromSeconds(40));
    }

    public virtual async Task DisposeAsync()
    {
        if (Process is not null)
        {
            await Process.DisposeAsync();
        }
    }

    protected abstract Task<IReadOnlyDictionary<string, string>> StoreSettingsAsync();
}

public sealed class EmbeddedMetricsProcess : MetricsProcess
{
    public override string StoreName => "embedded";

    protected override Task<IReadOnlyDictionary<string, string>> StoreSettingsAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string> { ["Bbs:store"] = "embedded" });
}

public sealed class EtcdMetricsProcess : MetricsProcess
{
    private EtcdServer? etcd;

    public override string StoreName => "etcd";

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (etcd is not null)
        {
            await etcd.DisposeAsync();
        }
    }

    protected override async Task<IReadOnlyDictionary<string, string>> StoreSettingsAsync()
    {
        etcd = await EtcdServer.StartNewAsync(allowExternal: false);
        return new Dictionary<string, string>
        {
            ["Bbs:store"] = "etcd",
            ["Bbs:etcd_endpoints"] = string.Join(',', etcd.ClientUrls),
        };
    }
}
