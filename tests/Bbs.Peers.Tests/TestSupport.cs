using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Bbs.Models;
using Bbs.Testing.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Bbs.Peers.Tests;

internal static class TestSupport
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    public static async Task EventuallyAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for: {what}");
            }

            await Task.Delay(10);
        }
    }

    public static DesiredLRPSchedulingInfo SchedulingInfo(string processGuid = "pg-1") => new()
    {
        DesiredLrpKey = new DesiredLRPKey { ProcessGuid = processGuid, Domain = "cf-apps", LogGuid = "log-1" },
        Instances = 4,
        DesiredLrpResource = new DesiredLRPResource { MemoryMb = 256, DiskMb = 1024, RootFs = "preloaded:cflinuxfs4", MaxPids = 100 },
        VolumePlacement = new VolumePlacement { DriverNames = { "nfs" } },
        PlacementTags = { "tag-a" },
    };

    public static DesiredLRP DesiredLrp(string processGuid = "pg-2") => new()
    {
        ProcessGuid = processGuid,
        Domain = "cf-apps",
        RootFs = "docker:///busybox",
        MemoryMb = 128,
        DiskMb = 512,
        MaxPids = 0,
        Instances = 1,
        VolumeMounts = { new VolumeMount { Driver = "smb", ContainerDir = "/data", Mode = "rw" } },
    };

    public static Bbs.Models.Task PendingTask(string taskGuid = "task-1") => new()
    {
        TaskGuid = taskGuid,
        Domain = "cf-tasks",
        State = Bbs.Models.Task.Types.State.Pending,
        TaskDefinition = new TaskDefinition
        {
            RootFs = "preloaded:cflinuxfs4",
            MemoryMb = 512,
            DiskMb = 2048,
            MaxPids = 50,
            PlacementTags = { "isolated" },
            VolumeMounts = { new VolumeMount { Driver = "nfs", ContainerDir = "/mnt" } },
        },
    };
}

/// <summary>The peers as the server hosts them: AddBbsPeers in a host whose hosted services run, with test timings.</summary>
internal sealed class PeersHost : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    private PeersHost(IHost host, TestLogger log)
    {
        _host = host;
        Log = log;
        Metrics = new MetricsRecorder(host.Services.GetRequiredService<PeerMetrics>().Meter);
    }

    public TestLogger Log { get; }

    public MetricsRecorder Metrics { get; }

    public IAuctionRequester Requester => _host.Services.GetRequiredService<IAuctionRequester>();

    public IAuctioneerClient Auctioneer => _host.Services.GetRequiredService<IAuctioneerClient>();

    public IRepClientFactory Reps => _host.Services.GetRequiredService<IRepClientFactory>();

    public IServiceProvider Services => _host.Services;

    public static async Task<PeersHost> StartAsync(
        ITestOutputHelper output,
        Action<AuctioneerOptions>? auctioneer = null,
        Action<RepClientOptions>? rep = null,
        TimeSpan? shutdownTimeout = null)
    {
        var host = Build(output, auctioneer, rep, shutdownTimeout, out var log);
        var peers = new PeersHost(host, log);
        await host.StartAsync();
        return peers;
    }

    public static IHost Build(
        ITestOutputHelper output,
        Action<AuctioneerOptions>? auctioneer,
        Action<RepClientOptions>? rep,
        TimeSpan? shutdownTimeout,
        out TestLogger log)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var logger = new TestLogger(output);
        builder.Logging.SetMinimumLevel(LogLevel.Debug).AddProvider(new TestLoggerProvider(logger));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdownTimeout ?? TimeSpan.FromSeconds(10));
        builder.Services.AddBbsPeers(
            o =>
            {
                o.RequestTimeout = TimeSpan.FromSeconds(5);
                o.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
                auctioneer?.Invoke(o);
            },
            o =>
            {
                o.RequestTimeout = TimeSpan.FromSeconds(5);
                o.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
                rep?.Invoke(o);
            });
        log = logger;
        return builder.Build();
    }

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _host.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Metrics.Dispose();
        _host.Dispose();
    }

    private sealed class TestLoggerProvider(TestLogger logger) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => logger;

        public void Dispose()
        {
        }
    }
}

/// <summary>Sums the measurements of one meter instance (so parallel tests do not see each other's).</summary>
internal sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, long Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

    public MetricsRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.Start();
    }

    /// <summary>The sum of an instrument's measurements whose tags include all of <paramref name="tags"/> ("key=value").</summary>
    public long Sum(string instrument, params string[] tags) =>
        _measurements
            .Where(m => m.Instrument == instrument && tags.All(t => m.Tags.Any(kv => $"{kv.Key}={kv.Value}" == t)))
            .Sum(m => m.Value);

    public void Dispose() => _listener.Dispose();
}
