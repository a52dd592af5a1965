using Bbs.Models;

namespace Bbs.Db;

/// <summary>
/// The etcd-era split of a DesiredLRP into its scheduling info (what the auctioneer and convergence read,
/// and what updates change) and its run info (immutable after desire), and the join back.
/// </summary>
public static class DesiredLrpParts
{
    public static DesiredLRPSchedulingInfo SchedulingInfo(DesiredLRP lrp, ModificationTag tag)
    {
        ArgumentNullException.ThrowIfNull(lrp);
        var info = new DesiredLRPSchedulingInfo
        {
            DesiredLrpKey = Key(lrp),
            Annotation = lrp.Annotation,
            Instances = lrp.Instances,
            DesiredLrpResource = new DesiredLRPResource { MemoryMb = lrp.MemoryMb, DiskMb = lrp.DiskMb, RootFs = lrp.RootFs, MaxPids = lrp.MaxPids },
            Routes = lrp.Routes?.Clone() ?? new ProtoRoutes(),
            ModificationTag = tag,
            VolumePlacement = new VolumePlacement(),
        };
        info.VolumePlacement.DriverNames.AddRange(lrp.VolumeMounts.Select(m => m.Driver));
        info.PlacementTags.AddRange(lrp.PlacementTags);
        return info;
    }

    public static DesiredLRPRunInfo RunInfo(DesiredLRP lrp, long createdAtUnixNanos)
    {
        ArgumentNullException.ThrowIfNull(lrp);
        var run = new DesiredLRPRunInfo
        {
            DesiredLrpKey = Key(lrp),
            Setup = lrp.Setup,
            Action = lrp.Action,
            Monitor = lrp.Monitor,
            StartTimeout = lrp.StartTimeout,
            Privileged = lrp.Privileged,
            CpuWeight = lrp.CpuWeight,
            LogSource = lrp.LogSource,
            MetricsGuid = lrp.MetricsGuid,
            CreatedAt = createdAtUnixNanos,
            LegacyDownloadUser = lrp.LegacyDownloadUser,
            TrustedSystemCertificatesPath = lrp.TrustedSystemCertificatesPath,
            Network = lrp.Network,
            StartTimeoutMs = lrp.StartTimeoutMs,
            CertificateProperties = lrp.CertificateProperties,
            ImageUsername = lrp.ImageUsername,
            ImagePassword = lrp.ImagePassword,
            CheckDefinition = lrp.CheckDefinition,
            LogRateLimit = lrp.LogRateLimit,
            UpdateStrategy = lrp.UpdateStrategy,
        };
        run.EnvironmentVariables.AddRange(lrp.EnvironmentVariables);
        run.Ports.AddRange(lrp.Ports);
        run.EgressRules.AddRange(lrp.EgressRules);
        run.CachedDependencies.AddRange(lrp.CachedDependencies);
        run.VolumeMounts.AddRange(lrp.VolumeMounts);
        run.ImageLayers.AddRange(lrp.ImageLayers);
        run.MetricTags.Add(lrp.MetricTags);
        run.Sidecars.AddRange(lrp.Sidecars);
        run.VolumeMountedFiles.AddRange(lrp.VolumeMountedFiles);
        return run;
    }

    /// <summary>The API model from its two stored halves, with metrics_guid filled from metric_tags (NEW).</summary>
    public static DesiredLRP Join(DesiredLRPSchedulingInfo info, DesiredLRPRunInfo run)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(run);
        var key = info.DesiredLrpKey ?? new DesiredLRPKey();
        var resource = info.DesiredLrpResource ?? new DesiredLRPResource();
        var lrp = new DesiredLRP
        {
            ProcessGuid = key.ProcessGuid,
            Domain = key.Domain,
            LogGuid = key.LogGuid,
            RootFs = resource.RootFs,
            MemoryMb = resource.MemoryMb,
            DiskMb = resource.DiskMb,
            MaxPids = resource.MaxPids,
            Instances = info.Instances,
            Annotation = info.Annotation,
            Routes = info.Routes?.Clone() ?? new ProtoRoutes(),
            ModificationTag = info.ModificationTag,
            Setup = run.Setup,
            Action = run.Action,
            Monitor = run.Monitor,
            StartTimeout = run.StartTimeout,
            Privileged = run.Privileged,
            CpuWeight = run.CpuWeight,
            LogSource = run.LogSource,
            MetricsGuid = run.MetricsGuid,
            LegacyDownloadUser = run.LegacyDownloadUser,
            TrustedSystemCertificatesPath = run.TrustedSystemCertificatesPath,
            Network = run.Network,
            StartTimeoutMs = run.StartTimeoutMs,
            CertificateProperties = run.CertificateProperties,
            ImageUsername = run.ImageUsername,
            ImagePassword = run.ImagePassword,
            CheckDefinition = run.CheckDefinition,
            LogRateLimit = run.LogRateLimit,
            UpdateStrategy = run.UpdateStrategy,
        };
        lrp.EnvironmentVariables.AddRange(run.EnvironmentVariables);
        lrp.Ports.AddRange(run.Ports);
        lrp.EgressRules.AddRange(run.EgressRules);
        lrp.CachedDependencies.AddRange(run.CachedDependencies);
        lrp.VolumeMounts.AddRange(run.VolumeMounts);
        lrp.PlacementTags.AddRange(info.PlacementTags);
        lrp.ImageLayers.AddRange(run.ImageLayers);
        lrp.MetricTags.Add(run.MetricTags);
        lrp.Sidecars.AddRange(run.Sidecars);
        lrp.VolumeMountedFiles.AddRange(run.VolumeMountedFiles);
        PopulateMetricsGuid(lrp);
        return lrp;
    }

    /// <summary>Only the routing fields (the routing-info list of NEW, bbs#66).</summary>
    public static DesiredLRP RoutingInfo(DesiredLRPSchedulingInfo info, DesiredLRPRunInfo run)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(run);
        var key = info.DesiredLrpKey ?? new DesiredLRPKey();
        var lrp = new DesiredLRP
        {
            ProcessGuid = key.ProcessGuid,
            Domain = key.Domain,
            LogGuid = key.LogGuid,
            Instances = info.Instances,
            Routes = info.Routes?.Clone() ?? new ProtoRoutes(),
            ModificationTag = info.ModificationTag,
            MetricsGuid = run.MetricsGuid,
        };
        lrp.MetricTags.Add(run.MetricTags);
        PopulateMetricsGuid(lrp);
        return lrp;
    }

    /// <summary>NEW's PopulateMetricsGuid: metrics_guid comes from metric_tags.source_id when that is set.</summary>
    public static void PopulateMetricsGuid(DesiredLRP lrp)
    {
        ArgumentNullException.ThrowIfNull(lrp);
        if (lrp.MetricTags.TryGetValue("source_id", out var source) && !string.IsNullOrEmpty(source.Static))
        {
            lrp.MetricsGuid = source.Static;
        }
    }

    private static DesiredLRPKey Key(DesiredLRP lrp) => new() { ProcessGuid = lrp.ProcessGuid, Domain = lrp.Domain, LogGuid = lrp.LogGuid };
}
