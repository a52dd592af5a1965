using System.Diagnostics;
using System.Globalization;
using Bbs.Etcd;
using Bbs.Peers;
using Bbs.Server.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Bbs.Server.Metrics;

/// <summary>
/// Metrics and traces through OpenTelemetry: Prometheus text on <c>GET /metrics</c> (on the API listener, and on
/// <c>metrics_address</c> when set, a plain-HTTP listener that serves only <c>/metrics</c>, <c>/healthz</c> and
/// <c>/readyz</c>), and OTLP export of metrics and traces when <c>otlp_endpoint</c> is set. Names are in
/// docs/operations.md with the Diego metric each maps to.
/// </summary>
public static class Telemetry
{
    /// <summary>The server's meter: request, state, convergence, event and limit instruments.</summary>
    public const string MeterName = "Bbs.Server";

    /// <summary>The server's activity source (leader work, convergence passes).</summary>
    public static readonly ActivitySource Source = new(MeterName);

    /// <summary>Bucket bounds, in seconds, of every duration histogram: 1 ms to 60 s.</summary>
    public static readonly IReadOnlyList<double> SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private static readonly string[] ProbePaths = ["/metrics", "/healthz", "/readyz"];

    internal static void AddBbsTelemetry(this WebApplicationBuilder builder, BbsServerOptions options)
    {
        // Diego's clients send X-Vcap-Request-Id, not traceparent: either continues the trace, and outgoing calls
        // (auctioneer, reps, callbacks) carry both. Process-wide, and the same for every server in a process.
        // HttpClient reads the static one; ASP.NET Core's hosting takes the one registered in the container.
        if (DistributedContextPropagator.Current is not VcapRequestIdPropagator)
        {
            DistributedContextPropagator.Current = new VcapRequestIdPropagator(DistributedContextPropagator.CreateDefaultPropagator());
        }

        builder.Services.Replace(ServiceDescriptor.Singleton(DistributedContextPropagator.Current));

        builder.Services.AddSingleton<StateMetrics>();
        builder.Services.AddSingleton<ServerMetrics>();
        Uri? otlp = string.IsNullOrEmpty(options.OtlpEndpoint) ? null : new Uri(options.OtlpEndpoint);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("bbs", serviceInstanceId: builder.Configuration[$"{BbsServerOptions.SectionName}:uuid"]))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(MeterName, PeerMetrics.MeterName, EtcdTelemetry.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()

                    // The runtime's gauges named "….count" read as half a histogram to Prometheus (promtool's lint): renamed.
                    .AddView("dotnet.assembly.count", "dotnet.assemblies.loaded")
                    .AddView("dotnet.process.cpu.count", "dotnet.process.cpus")
                    .AddView("dotnet.thread_pool.thread.count", "dotnet.thread_pool.threads")
                    .AddView("dotnet.timer.count", "dotnet.timers")
                    // Every scrape counts afresh (the exporter would otherwise answer from a 300 ms cache).
                    .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(o => Otlp(o, otlp, options.OtlpProtocol, "/v1/metrics"));
                }
            });
        if (otlp is not null)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(MeterName, EtcdTelemetry.SourceName, PeerTelemetry.SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(o => Otlp(o, otlp, options.OtlpProtocol, "/v1/traces")));
        }
    }

    /// <summary>The URL Kestrel listens on for <c>metrics_address</c>, or null when it is not set.</summary>
    internal static string? MetricsUrl(BbsServerOptions options) =>
        string.IsNullOrEmpty(options.MetricsAddress) ? null : $"http://{options.MetricsAddress}";

    /// <summary>
    /// Starts listening before any instrument owner exists (call it first), so the series they start at 0 are
    /// exported from the first scrape.
    /// </summary>
    internal static void StartBbsTelemetry(this WebApplication app) => app.Services.GetRequiredService<MeterProvider>();

    internal static void UseBbsTelemetry(this WebApplication app, BbsServerOptions options)
    {
        // The instruments exist once their owners do; observable ones are read at each scrape.
        app.Services.GetRequiredService<StateMetrics>();
        app.Services.GetRequiredService<RejectionMetrics>();
        var metrics = app.Services.GetRequiredService<ServerMetrics>();
        int? probePort = MetricsPort(options);
        app.Use(async (context, next) =>
        {
            if (probePort is { } port && context.Connection.LocalPort == port && !IsProbe(context.Request.Path))
            {
                // The metrics listener serves the probes and nothing else.
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            long started = Stopwatch.GetTimestamp();
            try
            {
                await next(context).ConfigureAwait(false);
            }
            finally
            {
                metrics.Request(context, Stopwatch.GetElapsedTime(started));
            }
        });
    }

    internal static void MapBbsTelemetry(this WebApplication app) => app.MapPrometheusScrapingEndpoint("/metrics");

    private static void Otlp(OpenTelemetry.Exporter.OtlpExporterOptions exporter, Uri endpoint, string protocol, string signalPath)
    {
        if (protocol == "http/protobuf")
        {
            exporter.Protocol = OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf;
            exporter.Endpoint = new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + signalPath);
        }
        else
        {
            exporter.Protocol = OpenTelemetry.Exporter.OtlpExportProtocol.Grpc;
            exporter.Endpoint = endpoint;
        }
    }

    private static bool IsProbe(PathString path) => ProbePaths.Any(p => path.Equals(p, StringComparison.Ordinal));

    private static int? MetricsPort(BbsServerOptions options)
    {
        if (string.IsNullOrEmpty(options.MetricsAddress))
        {
            return null;
        }

        int colon = options.MetricsAddress.LastIndexOf(':');
        return int.Parse(options.MetricsAddress.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
