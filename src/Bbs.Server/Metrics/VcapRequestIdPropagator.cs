using System.Diagnostics;

namespace Bbs.Server.Metrics;

/// <summary>
/// W3C trace context plus Diego's <c>X-Vcap-Request-Id</c>: an incoming request with a UUID request id and no
/// <c>traceparent</c> continues the trace whose id is that UUID, and every outgoing call carries the trace id as a
/// UUID in <c>X-Vcap-Request-Id</c>, so the auctioneer's and reps' logs line up with ours. Hand-written: .NET and
/// OpenTelemetry propagate W3C and B3 only.
/// </summary>
public sealed class VcapRequestIdPropagator(DistributedContextPropagator inner) : DistributedContextPropagator
{
    public const string Header = "X-Vcap-Request-Id";

    public override IReadOnlyCollection<string> Fields { get; } = [.. inner.Fields, Header];

    public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter)
    {
        inner.Inject(activity, carrier, setter);
        if (activity is not null && setter is not null && activity.IdFormat == ActivityIdFormat.W3C)
        {
            setter(carrier, Header, ToUuid(activity.TraceId));
        }
    }

    public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState)
    {
        inner.ExtractTraceIdAndState(carrier, getter, out traceId, out traceState);
        if (traceId is null && getter is not null)
        {
            getter(carrier, Header, out var requestId, out _);
            if (Guid.TryParse(requestId, out var uuid) && uuid != Guid.Empty)
            {
                traceId = $"00-{uuid:N}-{ActivitySpanId.CreateRandom().ToHexString()}-01";
            }
        }
    }

    public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) =>
        inner.ExtractBaggage(carrier, getter);

    /// <summary>A trace id as the UUID Diego's request ids are (its 32 hex digits, dashed).</summary>
    public static string ToUuid(ActivityTraceId traceId) => Guid.ParseExact(traceId.ToHexString(), "N").ToString("D");
}
