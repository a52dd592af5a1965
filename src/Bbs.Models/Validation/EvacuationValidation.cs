using Bbs.Models.Validation;

namespace Bbs.Models;

// The evacuation requests of BBS models/actual_lrp_requests.go. Only EvacuateCrashed needs a reason.

public sealed partial class EvacuateClaimedActualLRPRequest : IValidatable
{
    public string? Validate() =>
        ActualLRPKey.CollectRequired(ActualLrpKey)
            .AddAll(ActualLRPInstanceKey.CollectRequired(ActualLrpInstanceKey))
            .ToText();
}

public sealed partial class EvacuateRunningActualLRPRequest : IValidatable
{
    public string? Validate() =>
        ActualLRPKey.CollectRequired(ActualLrpKey)
            .AddAll(ActualLRPInstanceKey.CollectRequired(ActualLrpInstanceKey))
            .AddAll(ActualLRPNetInfo.CollectRequired(ActualLrpNetInfo))
            .ToText();
}

public sealed partial class EvacuateStoppedActualLRPRequest : IValidatable
{
    public string? Validate() =>
        ActualLRPKey.CollectRequired(ActualLrpKey)
            .AddAll(ActualLRPInstanceKey.CollectRequired(ActualLrpInstanceKey))
            .ToText();
}

public sealed partial class EvacuateCrashedActualLRPRequest : IValidatable
{
    public string? Validate()
    {
        var errors = ActualLRPKey.CollectRequired(ActualLrpKey)
            .AddAll(ActualLRPInstanceKey.CollectRequired(ActualLrpInstanceKey));
        if (ErrorMessage.Length == 0)
        {
            errors.InvalidField("error_message");
        }

        return errors.ToText();
    }
}

public sealed partial class RemoveEvacuatingActualLRPRequest : IValidatable
{
    public string? Validate() =>
        ActualLRPKey.CollectRequired(ActualLrpKey)
            .AddAll(ActualLRPInstanceKey.CollectRequired(ActualLrpInstanceKey))
            .ToText();
}
