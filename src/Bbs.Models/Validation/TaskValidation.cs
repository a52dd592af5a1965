using Bbs.Models.Validation;

namespace Bbs.Models;

// BBS models/task.go and task_requests.go.

public sealed partial class TaskDefinition : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors()
    {
        var errors = new ValidationErrors();

        // Unlike DesiredLRP, an empty rootfs is reported once.
        if (!GoUrl.HasScheme(RootFs))
        {
            errors.InvalidField("rootfs");
        }

        if (Action is null)
        {
            errors.Add(ValidationRules.InvalidActionType);
        }
        else
        {
            errors.InvalidFieldWith("action", Action.CollectErrors());
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

        if (LogRateLimit is not null && LogRateLimit.BytesPerSecond < -1)
        {
            errors.InvalidField("log_rate_limit");
        }

        if (MaxPids < 0)
        {
            errors.InvalidField("max_pids");
        }

        if (ValidationRules.AnnotationTooLong(Annotation))
        {
            errors.InvalidField("annotation");
        }

        // Tasks name the bad rule set without listing what is wrong with it.
        foreach (var rule in EgressRules)
        {
            if (!rule.CollectErrors().IsEmpty)
            {
                errors.InvalidField("egress_rules");
            }
        }

        errors.AddAll(ImageCredentials.CollectErrors(ImageUsername, ImagePassword));
        errors.AddAll(CachedDependency.CollectAll(CachedDependencies));
        return errors.AddAll(ImageLayer.CollectAll(ImageLayers, LegacyDownloadUser));
    }

    internal static ValidationErrors CollectRequired(TaskDefinition? definition) =>
        definition is null ? new ValidationErrors().InvalidField("task_definition") : definition.CollectErrors();
}

public sealed partial class Task : IValidatable
{
    public string? Validate()
    {
        var errors = new ValidationErrors();
        if (Domain.Length == 0)
        {
            errors.InvalidField("domain");
        }

        if (!ValidationRules.IsGuid(TaskGuid))
        {
            errors.InvalidField("task_guid");
        }

        return errors.AddAll(TaskDefinition.CollectRequired(TaskDefinition)).ToText();
    }
}

public sealed partial class DesireTaskRequest : IValidatable
{
    public string? Validate()
    {
        var errors = new ValidationErrors();
        if (!ValidationRules.IsGuid(TaskGuid))
        {
            errors.InvalidField("task_guid");
        }

        if (Domain.Length == 0)
        {
            errors.InvalidField("domain");
        }

        return errors.AddAll(TaskDefinition.CollectRequired(TaskDefinition)).ToText();
    }
}

public sealed partial class StartTaskRequest : IValidatable
{
    public string? Validate() => TaskRequestRules.GuidAnd(TaskGuid, "cell_id", CellId);
}

public sealed partial class CompleteTaskRequest : IValidatable
{
    public string? Validate() => TaskRequestRules.GuidAnd(TaskGuid, "cell_id", CellId);
}

public sealed partial class FailTaskRequest : IValidatable
{
    public string? Validate() => TaskRequestRules.GuidAnd(TaskGuid, "failure_reason", FailureReason);
}

public sealed partial class RejectTaskRequest : IValidatable
{
    /// <summary>BBS names the missing rejection reason "failure_reason".</summary>
    public string? Validate() => TaskRequestRules.GuidAnd(TaskGuid, "failure_reason", RejectionReason);
}

public sealed partial class TaskGuidRequest : IValidatable
{
    public string? Validate() => TaskGuid.Length == 0 ? "Invalid field: task_guid" : null;
}

public sealed partial class TaskByGuidRequest : IValidatable
{
    public string? Validate() => TaskGuid.Length == 0 ? "Invalid field: task_guid" : null;
}

public sealed partial class TasksRequest : IValidatable
{
    /// <summary>Every filter is optional.</summary>
    public string? Validate() => null;
}

internal static class TaskRequestRules
{
    public static string? GuidAnd(string taskGuid, string requiredField, string requiredValue)
    {
        var errors = new ValidationErrors();
        if (!ValidationRules.IsGuid(taskGuid))
        {
            errors.InvalidField("task_guid");
        }

        if (requiredValue.Length == 0)
        {
            errors.InvalidField(requiredField);
        }

        return errors.ToText();
    }
}
