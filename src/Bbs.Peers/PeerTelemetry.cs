using System.Diagnostics;

namespace Bbs.Peers;

/// <summary>
/// Traces across the queues between a request and the peer calls it causes: an auction batch (or a completion
/// callback) sent later, from a background loop, continues the trace of the request that queued it, so the
/// auctioneer's and the callback's requests carry that trace (<c>traceparent</c>, and Diego's <c>X-Vcap-Request-Id</c>).
/// A batch that several requests fed continues the first one's trace and links the others.
/// </summary>
public static class PeerTelemetry
{
    public const string SourceName = "Bbs.Peers";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>The trace of the caller now, to keep with queued work.</summary>
    public static ActivityContext Capture() => Activity.Current?.Context ?? default;

    /// <summary>
    /// An activity continuing <paramref name="parents"/>' first trace, current until disposed; null when no caller had
    /// one. Exported when tracing listens; otherwise a plain activity, which still propagates to the outgoing calls.
    /// </summary>
    public static Activity? Continue(string name, IEnumerable<ActivityContext> parents)
    {
        ArgumentNullException.ThrowIfNull(parents);
        var traced = parents.Where(p => p != default).Distinct().ToList();
        if (traced.Count == 0)
        {
            return null;
        }

        var parent = traced[0];
        return Source.StartActivity(name, ActivityKind.Internal, parent, links: traced.Skip(1).Select(p => new ActivityLink(p)))
            ?? new Activity(name).SetParentId(parent.TraceId, parent.SpanId, parent.TraceFlags).Start();
    }
}
