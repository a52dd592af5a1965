using System.Text.RegularExpressions;

namespace Bbs.Deploy.Tests;

/// <summary>The metrics a Bbs server exports on /metrics, as the alert rules and the dashboard may query them.</summary>
public static partial class MetricNames
{
    public static IReadOnlySet<string> Histograms { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "bbs_request_duration_seconds",
        "bbs_convergence_lrp_duration_seconds",
        "bbs_convergence_task_duration_seconds",
        "bbs_etcd_request_duration_seconds",
    };

    public static IReadOnlySet<string> Others { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "bbs_requests_total",
        "bbs_lrps_desired", "bbs_lrps_running", "bbs_lrps_claimed", "bbs_lrps_unclaimed", "bbs_lrps_missing", "bbs_lrps_extra",
        "bbs_crashed_actual_lrps", "bbs_crashing_desired_lrps",
        "bbs_tasks_pending", "bbs_tasks_running", "bbs_tasks_completed", "bbs_tasks_resolving",
        "bbs_convergence_lrp_runs_total",
        "bbs_domain_fresh", "bbs_lock_held", "bbs_cells_present",
        "bbs_event_subscribers", "bbs_event_subscribers_dropped_total",
        "bbs_auction_requests_total", "bbs_task_callbacks_total",
    };

    /// <summary>Whether a series name is exported: a metric, or a histogram's _bucket, _sum or _count.</summary>
    public static bool IsExported(string series) =>
        Others.Contains(series)
        || Histograms.Any(h => series == h + "_bucket" || series == h + "_sum" || series == h + "_count");

    /// <summary>The bbs_ series names a PromQL expression reads.</summary>
    public static IEnumerable<string> In(string promQl) => Series().Matches(promQl).Select(m => m.Value).Distinct();

    [GeneratedRegex(@"\bbbs_[a-z0-9_]+\b")]
    private static partial Regex Series();
}
