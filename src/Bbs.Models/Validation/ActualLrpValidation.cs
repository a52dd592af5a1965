using Bbs.Models.Rules;
using Bbs.Models.Validation;

namespace Bbs.Models;

// BBS models/actual_lrp.go and actual_lrp_requests.go. A missing key is "Invalid field: actual_lrp_key";
// a present but invalid one adds its own fields without a prefix.

public sealed partial class ActualLRPKey : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors()
    {
        var errors = new ValidationErrors();
        if (ProcessGuid.Length == 0)
        {
            errors.InvalidField("process_guid");
        }

        if (Index < 0)
        {
            errors.InvalidField("index");
        }

        if (Domain.Length == 0)
        {
            errors.InvalidField("domain");
        }

        return errors;
    }

    internal static ValidationErrors CollectRequired(ActualLRPKey? key) =>
        key is null ? new ValidationErrors().InvalidField("actual_lrp_key") : key.CollectErrors();
}

public sealed partial class ActualLRPInstanceKey : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors()
    {
        var errors = new ValidationErrors();
        if (CellId.Length == 0)
        {
            errors.InvalidField("cell_id");
        }

        if (InstanceGuid.Length == 0)
        {
            errors.InvalidField("instance_guid");
        }

        return errors;
    }

    internal static ValidationErrors CollectRequired(ActualLRPInstanceKey? key) =>
        key is null ? new ValidationErrors().InvalidField("actual_lrp_instance_key") : key.CollectErrors();
}

public sealed partial class ActualLRPNetInfo : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors() =>
        Address.Length == 0 ? new ValidationErrors().InvalidField("address") : new ValidationErrors();

    internal static ValidationErrors CollectRequired(ActualLRPNetInfo? netInfo) =>
        netInfo is null ? new ValidationErrors().InvalidField("actual_lrp_net_info") : netInfo.CollectErrors();
}

/// <summary>A stored record's consistency with its state (BBS's ActualLRP.Validate).</summary>
public sealed partial class ActualLRP : IValidatable
{
    public string? Validate()
    {
        var errors = ActualLRPKey.CollectRequired(ActualLrpKey);
        if (Since == 0)
        {
            errors.InvalidField("since");
        }

        var instanceKeyIsEmpty = ActualLrpTransitions.IsEmpty(ActualLrpInstanceKey);
        var netInfoIsEmpty = ActualLrpNetInfo is null ||
            (ActualLrpNetInfo.Address.Length == 0 && ActualLrpNetInfo.Ports.Count == 0 &&
             ActualLrpNetInfo.PreferredAddress == ActualLRPNetInfo.Types.PreferredAddress.Unknown);
        var hasPlacementError = !string.IsNullOrWhiteSpace(PlacementError);

        switch (State)
        {
            case ActualLrpStates.Unclaimed:
                if (!instanceKeyIsEmpty)
                {
                    errors.Add("instance key cannot be set when state is unclaimed");
                }

                if (!netInfoIsEmpty)
                {
                    errors.Add("net info cannot be set when state is unclaimed");
                }

                if (Presence != Types.Presence.Ordinary)
                {
                    errors.Add("presence cannot be set when state is unclaimed");
                }

                break;
            case ActualLrpStates.Claimed:
                errors.AddAll(ActualLRPInstanceKey.CollectRequired(ActualLrpInstanceKey));
                if (!netInfoIsEmpty)
                {
                    errors.Add("net info cannot be set when state is claimed");
                }

                if (hasPlacementError)
                {
                    errors.Add("placement error cannot be set when state is claimed");
                }

                break;
            case ActualLrpStates.Running:
                errors.AddAll(ActualLRPInstanceKey.CollectRequired(ActualLrpInstanceKey));
                errors.AddAll(ActualLRPNetInfo.CollectRequired(ActualLrpNetInfo));
                if (hasPlacementError)
                {
                    errors.Add("placement error cannot be set when state is running");
                }

                break;
            case ActualLrpStates.Crashed:
                if (!instanceKeyIsEmpty)
                {
                    errors.Add("instance key cannot be set when state is crashed");
                }

                if (!netInfoIsEmpty)
                {
                    errors.Add("net info cannot be set when state is crashed");
                }

                if (hasPlacementError)
                {
                    errors.Add("placement error cannot be set when state is crashed");
                }

                break;
            default:
                errors.InvalidField("state");
                break;
        }

        return errors.ToText();
    }
}

public sealed partial class ActualLRPGroupsRequest : IValidatable
{
    /// <summary>Every filter is optional.</summary>
    public string? Validate() => null;
}

public sealed partial class ActualLRPsRequest : IValidatable
{
    /// <summary>Every filter is optional.</summary>
    public string? Validate() => null;
}

public sealed partial class ActualLRPGroupsByProcessGuidRequest : IValidatable
{
    public string? Validate() => ProcessGuid.Length == 0 ? "Invalid field: process_guid" : null;
}

public sealed partial class ActualLRPGroupByProcessGuidAndIndexRequest : IValidatable
{
    public string? Validate() => ProcessGuidAndIndex.CollectErrors(ProcessGuid, Index).ToText();
}

public sealed partial class ActualLRPsByProcessGuidsRequest : IValidatable
{
    public string? Validate() => ProcessGuids.Count == 0 ? "Invalid field: process_guids" : null;
}

public sealed partial class RemoveActualLRPRequest : IValidatable
{
    public string? Validate() => ProcessGuidAndIndex.CollectErrors(ProcessGuid, Index).ToText();
}

public sealed partial class ClaimActualLRPRequest : IValidatable
{
    public string? Validate()
    {
        var errors = new ValidationErrors();
        if (ProcessGuid.Length == 0)
        {
            errors.InvalidField("process_guid");
        }

        return errors.AddAll(ActualLRPInstanceKey.CollectRequired(ActualLrpInstanceKey)).ToText();
    }
}

public sealed partial class StartActualLRPRequest : IValidatable
{
    public string? Validate() =>
        ActualLRPKey.CollectRequired(ActualLrpKey)
            .AddAll(ActualLRPInstanceKey.CollectRequired(ActualLrpInstanceKey))
            .AddAll(ActualLRPNetInfo.CollectRequired(ActualLrpNetInfo))
            .ToText();
}

public sealed partial class CrashActualLRPRequest : IValidatable
{
    /// <summary>The error message is optional: a crash may come without a reason.</summary>
    public string? Validate() =>
        ActualLRPKey.CollectRequired(ActualLrpKey)
            .AddAll(ActualLRPInstanceKey.CollectRequired(ActualLrpInstanceKey))
            .ToText();
}

public sealed partial class FailActualLRPRequest : IValidatable
{
    public string? Validate()
    {
        var errors = ActualLRPKey.CollectRequired(ActualLrpKey);
        if (ErrorMessage.Length == 0)
        {
            errors.InvalidField("error_message");
        }

        return errors.ToText();
    }
}

public sealed partial class RetireActualLRPRequest : IValidatable
{
    public string? Validate() => ActualLRPKey.CollectRequired(ActualLrpKey).ToText();
}

internal static class ProcessGuidAndIndex
{
    public static ValidationErrors CollectErrors(string processGuid, int index)
    {
        var errors = new ValidationErrors();
        if (processGuid.Length == 0)
        {
            errors.InvalidField("process_guid");
        }

        if (index < 0)
        {
            errors.InvalidField("index");
        }

        return errors;
    }
}
