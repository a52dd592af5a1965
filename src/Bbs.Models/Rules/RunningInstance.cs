namespace Bbs.Models.Rules;

/// <summary>
/// What a rep reports about a running instance: the start request's fields, shared with EvacuateRunning.
/// <see cref="Routable"/> is true when the request leaves it out (E16 clients never send it).
/// </summary>
public sealed record RunningInstance(
    ActualLRPKey Key,
    ActualLRPInstanceKey InstanceKey,
    ActualLRPNetInfo NetInfo,
    IReadOnlyList<ActualLRPInternalRoute> InternalRoutes,
    IReadOnlyDictionary<string, string> MetricTags,
    bool Routable,
    string AvailabilityZone)
{
    public static RunningInstance From(StartActualLRPRequest request) => new(
        request.ActualLrpKey,
        request.ActualLrpInstanceKey,
        request.ActualLrpNetInfo,
        [.. request.ActualLrpInternalRoutes],
        new Dictionary<string, string>(request.MetricTags),
        !request.HasRoutable || request.Routable,
        request.AvailabilityZone);

    public static RunningInstance From(EvacuateRunningActualLRPRequest request) => new(
        request.ActualLrpKey,
        request.ActualLrpInstanceKey,
        request.ActualLrpNetInfo,
        [.. request.ActualLrpInternalRoutes],
        new Dictionary<string, string>(request.MetricTags),
        !request.HasRoutable || request.Routable,
        request.AvailabilityZone);

    /// <summary>True when <paramref name="lrp"/> is RUNNING with exactly this data: the rep's heartbeat.</summary>
    public bool IsReportedBy(ActualLRP lrp) =>
        lrp.State == ActualLrpStates.Running &&
        ActualLrpTransitions.KeysEqual(lrp.ActualLrpKey, Key) &&
        ActualLrpTransitions.InstanceKeysEqual(lrp.ActualLrpInstanceKey, InstanceKey) &&
        Equals(lrp.ActualLrpNetInfo ?? new ActualLRPNetInfo(), NetInfo) &&
        lrp.ActualLrpInternalRoutes.SequenceEqual(InternalRoutes) &&
        lrp.MetricTags.Count == MetricTags.Count &&
        lrp.MetricTags.All(tag => MetricTags.TryGetValue(tag.Key, out var value) && value == tag.Value) &&
        (!lrp.HasRoutable || lrp.Routable) == Routable &&
        lrp.AvailabilityZone == AvailabilityZone;

    /// <summary>Writes this data into <paramref name="lrp"/> (state and times are the caller's).</summary>
    internal void ApplyTo(ActualLRP lrp)
    {
        lrp.ActualLrpKey = Key.Clone();
        lrp.ActualLrpInstanceKey = InstanceKey.Clone();
        lrp.ActualLrpNetInfo = NetInfo.Clone();
        lrp.ActualLrpInternalRoutes.Clear();
        lrp.ActualLrpInternalRoutes.AddRange(InternalRoutes.Select(r => r.Clone()));
        lrp.MetricTags.Clear();
        foreach (var tag in MetricTags)
        {
            lrp.MetricTags[tag.Key] = tag.Value;
        }

        lrp.Routable = Routable;
        lrp.AvailabilityZone = AvailabilityZone;
    }
}
