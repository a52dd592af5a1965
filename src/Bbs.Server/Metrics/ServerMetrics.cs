using System.Diagnostics.Metrics;
using Bbs.Server.Leadership;

namespace Bbs.Server.Metrics;

/// <summary>
/// Per-request counts and latency by BBS route name (Diego: RequestCount, RequestLatency) and whether this instance
/// holds the lock (LockHeld). Recording is two lock-free instrument updates per request.
/// </summary>
public sealed class ServerMetrics
{
    private readonly Counter<long> requests;
    private readonly Histogram<double> duration;

    public ServerMetrics(LeaderElection election, IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(election);
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(Telemetry.MeterName);
        requests = meter.CreateCounter<long>("bbs_requests", description: "requests answered, by BBS route name (RequestCount)");
        duration = meter.CreateHistogram(
            "bbs_request_duration",
            unit: "s",
            description: "time to answer a request, by BBS route name; event streams are not timed (RequestLatency)",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Telemetry.SecondsBuckets });
        meter.CreateObservableGauge("bbs_lock_held", () => election.IsLeader ? 1L : 0L, description: "1 while this instance holds the BBS lock, else 0 (LockHeld)");
    }

    internal void Request(HttpContext context, TimeSpan elapsed)
    {
        string route = context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "none";
        var tag = new KeyValuePair<string, object?>("route", route);
        requests.Add(1, tag);
        if (!Events.EventsApi.IsStreamPath(context.Request.Path))
        {
            duration.Record(elapsed.TotalSeconds, tag);
        }
    }
}
