using Bbs.Models;
using Bbs.Models.Rules;
using Bbs.Store;

namespace Bbs.Db;

/// <summary>
/// Evacuation with E16's semantics (bbs-protocol.md §4.2). The evacuating copy lives under its own key
/// with an etcd lease of the evacuation TTL, so etcd deletes it when the TTL runs out. Where E16 wrote the
/// evacuating record and then unclaimed the instance, both writes are one transaction here.
/// </summary>
public sealed partial class EtcdDb
{
    public Task<EvacuationOutcome> EvacuateClaimedAsync(ActualLRPKey key, ActualLRPInstanceKey instanceKey, CancellationToken cancellationToken) =>
        EvacuateAsync(key, (slot, now) =>
        {
            var writes = new List<TxnOp>();
            if (slot.Evacuating is { } evacuating && ActualLrpTransitions.InstanceKeysEqual(evacuating.Value.ActualLrpInstanceKey, instanceKey))
            {
                writes.Add(new DeleteOp(slot.EvacuatingKey));
            }

            ActualLRPKey? auction = null;
            if (slot.Instance is { } instance && ActualLrpTransitions.InstanceKeysEqual(instance.Value.ActualLrpInstanceKey, instanceKey)
                && ActualLrpLifecycle.Unclaim(instance.Value, now) is { Record: { } unclaimed })
            {
                writes.Add(Put(slot.InstanceKey, unclaimed));
                auction = unclaimed.ActualLrpKey;
            }

            return (writes, new EvacuationOutcome(false, auction));
        }, cancellationToken);

    public async Task<EvacuationOutcome> EvacuateRunningAsync(RunningInstance instance, ulong ttlSeconds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var ttl = ttlSeconds > 0 ? (long)Math.Min(ttlSeconds, int.MaxValue) : (long)options.DefaultEvacuationTtl.TotalSeconds;
        long lease = 0;
        try
        {
            var outcome = await EvacuateAsync(instance.Key, (slot, now) => EvacuateRunningPlan(slot, instance, now, lease), cancellationToken, async () =>
            {
                lease = lease != 0 ? lease : await store.GrantLeaseAsync(Math.Max(1, ttl), cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return outcome;
        }
        finally
        {
            // A lease granted for a write that did not happen holds no key; let it go now rather than at its TTL.
            if (lease != 0)
            {
                var holder = await store.GetAsync(Keys.ActualEvacuating(instance.Key.ProcessGuid, instance.Key.Index), CancellationToken.None).ConfigureAwait(false);
                if (holder.Kv?.Lease != lease)
                {
                    await store.RevokeLeaseAsync(lease, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
    }

    public Task<EvacuationOutcome> EvacuateStoppedAsync(ActualLRPKey key, ActualLRPInstanceKey instanceKey, CancellationToken cancellationToken) =>
        EvacuateAsync(key, (slot, now) =>
        {
            var writes = RemoveOwnEvacuating(slot, instanceKey);
            if (slot.Instance is { } instance)
            {
                if (!ActualLrpTransitions.InstanceKeysEqual(instance.Value.ActualLrpInstanceKey, instanceKey))
                {
                    throw new BbsErrorException(BbsErrors.CannotRemove);
                }

                writes.Add(new DeleteOp(slot.InstanceKey));
            }

            return (writes, new EvacuationOutcome(false));
        }, cancellationToken);

    public async Task<EvacuationOutcome> EvacuateCrashedAsync(ActualLRPKey key, ActualLRPInstanceKey instanceKey, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await EvacuateAsync(key, (slot, now) => (RemoveOwnEvacuating(slot, instanceKey), new EvacuationOutcome(false)), cancellationToken).ConfigureAwait(false);
        try
        {
            var change = await CrashActualLrpAsync(key, instanceKey, reason, cancellationToken).ConfigureAwait(false);
            return new EvacuationOutcome(false, change.AuctionNeeded ? key : null);
        }
        catch (BbsErrorException ex) when (ex.Type == Error.Types.Type.ResourceNotFound)
        {
            return new EvacuationOutcome(false);
        }
    }

    public async Task RemoveEvacuatingAsync(ActualLRPKey key, ActualLRPInstanceKey instanceKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await EvacuateAsync(key, (slot, now) =>
        {
            if (slot.Evacuating is { } evacuating && !ActualLrpTransitions.InstanceKeysEqual(evacuating.Value.ActualLrpInstanceKey, instanceKey))
            {
                throw new BbsErrorException(BbsErrors.CannotRemove);
            }

            return (RemoveOwnEvacuating(slot, instanceKey), new EvacuationOutcome(false));
        }, cancellationToken).ConfigureAwait(false);
    }

    private (List<TxnOp> Writes, EvacuationOutcome Outcome) EvacuateRunningPlan(Slot slot, RunningInstance instance, long now, long lease)
    {
        var ik = instance.InstanceKey;
        var evacuatingIsOurs = slot.Evacuating is { } e && ActualLrpTransitions.InstanceKeysEqual(e.Value.ActualLrpInstanceKey, ik);
        var evacuatingIsOthers = slot.Evacuating is not null && !evacuatingIsOurs;
        var removeOurs = evacuatingIsOurs ? new List<TxnOp> { new DeleteOp(slot.EvacuatingKey) } : [];

        if (slot.Instance is not { } stored)
        {
            return (removeOurs, new EvacuationOutcome(false));
        }

        var current = stored.Value;
        var ownedByUs = ActualLrpTransitions.InstanceKeysEqual(current.ActualLrpInstanceKey, ik);
        var state = current.State;
        if ((state == ActualLrpStates.Claimed || state == ActualLrpStates.Running) && ownedByUs)
        {
            // Ours: keep serving from an evacuating copy while the instance is re-placed elsewhere.
            var unclaimed = ActualLrpLifecycle.Unclaim(current, now).Record!;
            return ([Put(slot.EvacuatingKey, EvacuatingCopy(instance, now), RequireLease(lease)), Put(slot.InstanceKey, unclaimed)], new EvacuationOutcome(true, unclaimed.ActualLrpKey));
        }

        if ((state == ActualLrpStates.Unclaimed && current.PlacementError.Length == 0) || (state == ActualLrpStates.Claimed && !ownedByUs))
        {
            // The replacement is not running yet: keep (or start) serving from the evacuating copy,
            // unless another cell already evacuates this slot.
            if (evacuatingIsOthers)
            {
                return ([], new EvacuationOutcome(false));
            }

            return ([Put(slot.EvacuatingKey, EvacuatingCopy(instance, now), RequireLease(lease))], new EvacuationOutcome(true));
        }

        // Placement failed, the replacement runs elsewhere, or the instance crashed: stop evacuating.
        return (removeOurs, new EvacuationOutcome(false));
    }

    private static long RequireLease(long lease) => lease != 0 ? lease : throw new InvalidOperationException("the evacuation lease must be granted before the write is planned");

    private static ActualLRP EvacuatingCopy(RunningInstance instance, long now)
    {
        var lrp = ActualLrpLifecycle.NewRunning(instance, now, Guid.NewGuid().ToString());
        return lrp;
    }

    private static List<TxnOp> RemoveOwnEvacuating(Slot slot, ActualLRPInstanceKey instanceKey) =>
        slot.Evacuating is { } evacuating && ActualLrpTransitions.InstanceKeysEqual(evacuating.Value.ActualLrpInstanceKey, instanceKey)
            ? [new DeleteOp(slot.EvacuatingKey)]
            : [];

    /// <summary>
    /// Reads both slots of (guid, index) in one round trip, lets <paramref name="plan"/> decide the writes,
    /// and commits them guarded by both revisions; a lost race re-reads and re-plans.
    /// <paramref name="beforeWrite"/> runs once before the first write that needs it (lease grants).
    /// </summary>
    private async Task<EvacuationOutcome> EvacuateAsync(
        ActualLRPKey key,
        Func<Slot, long, (List<TxnOp> Writes, EvacuationOutcome Outcome)> plan,
        CancellationToken cancellationToken,
        Func<Task>? beforeWrite = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var instanceKey = Keys.ActualInstance(key.ProcessGuid, key.Index);
        var evacuatingKey = Keys.ActualEvacuating(key.ProcessGuid, key.Index);
        if (beforeWrite is not null)
        {
            await beforeWrite().ConfigureAwait(false);
        }

        for (var attempt = 0; attempt < options.MaxCasAttempts; attempt++)
        {
            var read = await store.TxnAsync(TxnRequest.If().Then(new GetOp(instanceKey), new GetOp(evacuatingKey)), cancellationToken).ConfigureAwait(false);
            var instance = FromGetOp<ActualLRP>(read.Results[0]);
            var evacuating = FromGetOp<ActualLRP>(read.Results[1]);
            if (instance is not null && !ActualLrpTransitions.KeysEqual(instance.Value.ActualLrpKey, key))
            {
                throw new BbsErrorException(BbsErrors.ResourceNotFound);
            }

            var slot = new Slot(instanceKey, instance, evacuatingKey, evacuating);
            var (writes, outcome) = plan(slot, NowNanos);
            if (writes.Count == 0)
            {
                return outcome;
            }

            var result = await store.TxnAsync(
                new TxnRequest([TxnCompare.ModRevisionIs(instanceKey, instance?.ModRevision ?? 0), TxnCompare.ModRevisionIs(evacuatingKey, evacuating?.ModRevision ?? 0)], writes, []),
                cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return outcome;
            }
        }

        throw new BbsErrorException(BbsErrors.ResourceConflict);
    }

    private sealed record Slot(string InstanceKey, Stored<ActualLRP>? Instance, string EvacuatingKey, Stored<ActualLRP>? Evacuating);
}
