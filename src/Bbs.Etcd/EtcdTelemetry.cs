using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Bbs.Etcd;

/// <summary>
/// The client's instruments: one histogram of call durations by operation (<c>bbs_etcd_request_duration_seconds</c>
/// in Prometheus), and an activity per call for tracing. Both cost nothing until a listener (OpenTelemetry) asks.
/// </summary>
public static class EtcdTelemetry
{
    public const string MeterName = "Bbs.Etcd";

    public const string SourceName = "Bbs.Etcd";

    private static readonly Meter Meter = new(MeterName);

    private static readonly ActivitySource Source = new(SourceName);

    private static readonly Histogram<double> Duration = Meter.CreateHistogram(
        "bbs_etcd_request_duration",
        unit: "s",
        description: "etcd calls, from the first attempt to the answer (retries included), by operation",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    internal static Activity? Start(string operation) => Source.HasListeners() ? Source.StartActivity("etcd " + operation, ActivityKind.Client) : null;

    internal static void Record(string operation, long startedTimestamp, bool failed)
    {
        if (Duration.Enabled)
        {
            Duration.Record(
                Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds,
                new KeyValuePair<string, object?>("operation", operation),
                new KeyValuePair<string, object?>("outcome", failed ? "error" : "ok"));
        }
    }
}
