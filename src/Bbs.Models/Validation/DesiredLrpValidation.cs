using Bbs.Models.Validation;

namespace Bbs.Models;

// BBS models/desired_lrp.go and desired_lrp_requests.go. The order is E16's, with NEW's checks of NEW
// fields after it; metric_tags are checked only when sent (E16 clients never send them).

public sealed partial class DesiredLRP : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors()
    {
        var errors = new ValidationErrors();
        if (Domain.Length == 0)
        {
            errors.InvalidField("domain");
        }

        if (!ValidationRules.IsGuid(ProcessGuid))
        {
            errors.InvalidField("process_guid");
        }

        // Both eras check emptiness and the scheme separately, so an empty rootfs is reported twice.
        if (RootFs.Length == 0)
        {
            errors.InvalidField("rootfs");
        }

        if (!GoUrl.HasScheme(RootFs))
        {
            errors.InvalidField("rootfs");
        }

        if (Setup is not null)
        {
            errors.InvalidFieldWith("setup", Setup.CollectErrors());
        }

        if (Action is null)
        {
            errors.Add(ValidationRules.InvalidActionType);
        }
        else
        {
            errors.InvalidFieldWith("action", Action.CollectErrors());
        }

        if (Monitor is not null)
        {
            errors.InvalidFieldWith("monitor", Monitor.CollectErrors());
        }

        if (Instances < 0)
        {
            errors.InvalidField("instances");
        }

        if (CpuWeight > 100)
        {
            errors.InvalidField("cpu_weight");
        }

        if (MemoryMb < 0)
        {
            errors.InvalidField("memory_mb");
        }

        if (DiskMb < 0)
        {
            errors.InvalidField("disk_mb");
        }

        if (MaxPids < 0)
        {
            errors.InvalidField("max_pids");
        }

        if (ValidationRules.AnnotationTooLong(Annotation))
        {
            errors.InvalidField("annotation");
        }

        if (ValidationRules.RoutesTooLong(Routes))
        {
            errors.InvalidField("routes");
        }

        foreach (var variable in EnvironmentVariables)
        {
            errors.AddAll(variable.CollectErrors());
        }

        foreach (var rule in EgressRules)
        {
            errors.InvalidFieldWith("egress_rules", rule.CollectErrors());
        }

        errors.AddAll(CachedDependency.CollectAll(CachedDependencies));
        errors.AddAll(ImageLayer.CollectAll(ImageLayers, LegacyDownloadUser));

        var sidecars = new ValidationErrors();
        foreach (var sidecar in Sidecars)
        {
            sidecars.AddAll(sidecar.CollectErrors());
        }

        errors.InvalidFieldWith("sidecars", sidecars);

        foreach (var mount in VolumeMounts)
        {
            errors.AddAll(mount.CollectErrors());
        }

        errors.AddAll(ImageCredentials.CollectErrors(ImageUsername, ImagePassword));

        if (CheckDefinition is not null)
        {
            errors.InvalidFieldWith("check_definition", CheckDefinition.CollectErrors());
        }

        if (LogRateLimit is not null && LogRateLimit.BytesPerSecond < -1)
        {
            errors.InvalidField("log_rate_limit");
        }

        if (MetricTags.Count > 0)
        {
            errors.InvalidFieldWith("metric_tags", MetricTagValue.CollectAll(MetricTags, MetricsGuid));
        }

        return errors;
    }
}

public sealed partial class DesiredLRPUpdate : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors()
    {
        var errors = new ValidationErrors();
        if (HasInstances && Instances < 0)
        {
            errors.InvalidField("instances");
        }

        if (HasAnnotation && ValidationRules.AnnotationTooLong(Annotation))
        {
            errors.InvalidField("annotation");
        }

        if (ValidationRules.RoutesTooLong(Routes))
        {
            errors.InvalidField("routes");
        }

        return errors.InvalidFieldWith("metric_tags", MetricTagValue.CollectAll(MetricTags, metricsGuid: string.Empty));
    }
}

public sealed partial class DesireLRPRequest : IValidatable
{
    public string? Validate() =>
        (DesiredLrp is null ? new ValidationErrors().InvalidField("desired_lrp") : DesiredLrp.CollectErrors()).ToText();
}

public sealed partial class UpdateDesiredLRPRequest : IValidatable
{
    public string? Validate()
    {
        var errors = new ValidationErrors();
        if (ProcessGuid.Length == 0)
        {
            errors.InvalidField("process_guid");
        }

        if (Update is not null)
        {
            errors.AddAll(Update.CollectErrors());
        }

        return errors.ToText();
    }
}

public sealed partial class RemoveDesiredLRPRequest : IValidatable
{
    public string? Validate() => ProcessGuid.Length == 0 ? "Invalid field: process_guid" : null;
}

public sealed partial class DesiredLRPByProcessGuidRequest : IValidatable
{
    public string? Validate() => ProcessGuid.Length == 0 ? "Invalid field: process_guid" : null;
}

public sealed partial class DesiredLRPsRequest : IValidatable
{
    /// <summary>Every filter is optional.</summary>
    public string? Validate() => null;
}

/// <summary>Registry credentials (NEW) come as a pair.</summary>
internal static class ImageCredentials
{
    public static ValidationErrors CollectErrors(string username, string password)
    {
        var errors = new ValidationErrors();
        if (username.Length == 0 && password.Length != 0)
        {
            errors.InvalidField("image_username");
        }

        if (username.Length != 0 && password.Length == 0)
        {
            errors.InvalidField("image_password");
        }

        return errors;
    }
}
