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
        var ttl = ttlSeconds > 0 ? (long)Math.Min(ttlSeconds, int.MaxValue) : Math.Max(1, (long)options.DefaultEvacuationTtl.TotalSeconds);
        long renew = 0;
        var outcome = await EvacuateAsync(
            instance.Key,
            (slot, now) => EvacuateRunningPlan(slot, instance, now, out renew),
            cancellationToken,
            grantLease: () => store.GrantLeaseAsync(ttl, cancellationToken)).ConfigureAwait(false);
        if (renew != 0 && await store.KeepAliveOnceAsync(renew, cancellationToken).ConfigureAwait(false) <= 0)
        {
            // The lease ran out between the read and the renewal: write the copy afresh.
            return await EvacuateAsync(
                instance.Key,
                (slot, now) => EvacuateRunningPlan(slot, instance, now, out _, forceWrite: true),
                cancellationToken,
                grantLease: () => store.GrantLeaseAsync(ttl, cancellationToken)).ConfigureAwait(false);
        }

        return outcome;
    }

    /// <summary>
    /// The cell's own evacuating copy goes first (as E16, even when what follows is refused); then the
    /// instance is deleted if this cell holds it, and refused (CannotRemove) if another does.
    /// </summary>
    public async Task<EvacuationOutcome> EvacuateStoppedAsync(ActualLRPKey key, ActualLRPInstanceKey instanceKey, CancellationToken cancellationToken)
    {
        await EvacuateAsync(key, (slot, now) => (RemoveOwnEvacuating(slot, instanceKey), new EvacuationOutcome(false)), cancellationToken).ConfigureAwait(false);
        return await EvacuateAsync(key, (slot, now) =>
        {
            if (slot.Instance is not { } instance)
            {
                return ([], new EvacuationOutcome(false));
            }

            if (!ActualLrpTransitions.InstanceKeysEqual(instance.Value.ActualLrpInstanceKey, instanceKey))
            {
                throw new BbsErrorException(BbsErrors.CannotRemove);
            }

            return ([new DeleteOp(slot.InstanceKey)], new EvacuationOutcome(false));
        }, cancellationToken).ConfigureAwait(false);
    }

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

    private (List<TxnOp> Writes, EvacuationOutcome Outcome) EvacuateRunningPlan(Slot slot, RunningInstance instance, long now, out long renewLease, bool forceWrite = false)
    {
        renewLease = 0;
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
            return ([Put(slot.EvacuatingKey, EvacuatingCopy(instance, now), PendingLease), Put(slot.InstanceKey, unclaimed)], new EvacuationOutcome(true, unclaimed.ActualLrpKey));
        }

        if ((state == ActualLrpStates.Unclaimed && current.PlacementError.Length == 0) || (state == ActualLrpStates.Claimed && !ownedByUs))
        {
            // The replacement is not running yet: keep (or start) serving from the evacuating copy,
            // unless another cell already evacuates this slot.
            if (evacuatingIsOthers)
            {
                return ([], new EvacuationOutcome(false));
            }

            // The rep's heartbeat for an unchanged copy renews its lease without a write (and so without an event).
            if (!forceWrite && slot.Evacuating is { } ours && instance.IsReportedBy(ours.Value) && ours.Lease != 0)
            {
                renewLease = ours.Lease;
                return ([], new EvacuationOutcome(true));
            }

            return ([Put(slot.EvacuatingKey, EvacuatingCopy(instance, now), PendingLease)], new EvacuationOutcome(true));
        }

        // Placement failed, the replacement runs elsewhere, or the instance crashed: stop evacuating.
        return (removeOurs, new EvacuationOutcome(false));
    }

    /// <summary>Marks a put whose lease <see cref="EvacuateAsync"/> grants just before committing it.</summary>
    private const long PendingLease = -1;

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
    /// and commits them guarded by both revisions; a lost race re-reads and re-plans. A put planned with
    /// <see cref="PendingLease"/> gets a lease from <paramref name="grantLease"/> (granted once, on first need).
    /// </summary>
    private async Task<EvacuationOutcome> EvacuateAsync(
        ActualLRPKey key,
        Func<Slot, long, (List<TxnOp> Writes, EvacuationOutcome Outcome)> plan,
        CancellationToken cancellationToken,
        Func<Task<long>>? grantLease = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var instanceKey = Keys.ActualInstance(key.ProcessGuid, key.Index);
        var evacuatingKey = Keys.ActualEvacuating(key.ProcessGuid, key.Index);
        long lease = 0;
        try
        {
            for (var attempt = 0; attempt < options.MaxCasAttempts; attempt++)
            {
                var read = await store.TxnAsync(TxnRequest.If().Then(new GetOp(instanceKey), new GetOp(evacuatingKey)), cancellationToken).ConfigureAwait(false);
                var instance = FromGetOp<ActualLRP>(read.Results[0]);
                var evacuating = FromGetOp<ActualLRP>(read.Results[1]);
                if (instance is not null && !ActualLrpTransitions.KeysEqual(instance.Value.ActualLrpKey, key))
                {
                    throw new BbsErrorException(BbsErrors.ResourceNotFound);
                }

                var (writes, outcome) = plan(new Slot(instanceKey, instance, evacuatingKey, evacuating), NowNanos);
                if (writes.Count == 0)
                {
                    return outcome;
                }

                if (writes.Any(w => w is PutOp { Lease: PendingLease }))
                {
                    lease = lease != 0 ? lease : await (grantLease ?? throw new InvalidOperationException("a leased write needs a lease grant"))().ConfigureAwait(false);
                    writes = [.. writes.Select(w => w is PutOp { Lease: PendingLease } put ? put with { Lease = lease } : w)];
                }

                var result = await store.TxnAsync(
                    new TxnRequest([TxnCompare.ModRevisionIs(instanceKey, instance?.ModRevision ?? 0), TxnCompare.ModRevisionIs(evacuatingKey, evacuating?.ModRevision ?? 0)], writes, []),
                    cancellationToken).ConfigureAwait(false);
                if (result.Succeeded)
                {
                    lease = 0;
                    return outcome;
                }
            }

            throw new BbsErrorException(BbsErrors.ResourceConflict);
        }
        finally
        {
            // A lease granted for a write that did not happen holds no key: let it go now rather than at its TTL.
            if (lease != 0)
            {
                await store.RevokeLeaseAsync(lease, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private sealed record Slot(string InstanceKey, Stored<ActualLRP>? Instance, string EvacuatingKey, Stored<ActualLRP>? Evacuating);
}
