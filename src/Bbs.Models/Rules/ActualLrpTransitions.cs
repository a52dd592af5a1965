namespace Bbs.Models.Rules;

/// <summary>
/// NEW's ActualLRP transition table (bbs-protocol.md §4.1). The stored key must equal the request's key;
/// beyond that, whether the request's instance key must match the stored one depends on the states.
/// </summary>
public static class ActualLrpTransitions
{
    public static bool AllowsTransitionTo(
        ActualLRP current, ActualLRPKey? key, ActualLRPInstanceKey? instanceKey, string newState)
    {
        if (!KeysEqual(current.ActualLrpKey, key))
        {
            return false;
        }

        var sameInstance = InstanceKeysEqual(current.ActualLrpInstanceKey, instanceKey);
        var toUnclaimedWithoutInstance = newState == ActualLrpStates.Unclaimed && IsEmpty(instanceKey);

        return current.State switch
        {
            ActualLrpStates.Unclaimed => newState is ActualLrpStates.Unclaimed or ActualLrpStates.Claimed or ActualLrpStates.Running,

            // A claimed instance may be started from any cell: the one hole NEW leaves open.
            ActualLrpStates.Claimed => toUnclaimedWithoutInstance ||
                newState == ActualLrpStates.Running ||
                (sameInstance && newState is ActualLrpStates.Claimed or ActualLrpStates.Crashed),

            ActualLrpStates.Running => toUnclaimedWithoutInstance ||
                (sameInstance && newState is ActualLrpStates.Claimed or ActualLrpStates.Running or ActualLrpStates.Crashed),

            // A crashed record has no instance key, so only an empty one "matches": in practice only
            // convergence (unclaim, then auction) brings it back.
            ActualLrpStates.Crashed => toUnclaimedWithoutInstance ||
                (sameInstance && newState is ActualLrpStates.Claimed or ActualLrpStates.Running),

            _ => false,
        };
    }

    /// <summary>Field-wise equality; a missing key equals an empty one, as Go's embedded structs do.</summary>
    public static bool KeysEqual(ActualLRPKey? a, ActualLRPKey? b) =>
        (a?.ProcessGuid ?? string.Empty) == (b?.ProcessGuid ?? string.Empty) &&
        (a?.Index ?? 0) == (b?.Index ?? 0) &&
        (a?.Domain ?? string.Empty) == (b?.Domain ?? string.Empty);

    public static bool InstanceKeysEqual(ActualLRPInstanceKey? a, ActualLRPInstanceKey? b) =>
        (a?.InstanceGuid ?? string.Empty) == (b?.InstanceGuid ?? string.Empty) &&
        (a?.CellId ?? string.Empty) == (b?.CellId ?? string.Empty);

    public static bool IsEmpty(ActualLRPInstanceKey? key) =>
        key is null || (key.InstanceGuid.Length == 0 && key.CellId.Length == 0);
}
