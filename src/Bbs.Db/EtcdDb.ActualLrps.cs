using Bbs.Models;
using Bbs.Models.Rules;
using Bbs.Store;

namespace Bbs.Db;

public sealed partial class EtcdDb
{
    public async Task<IReadOnlyList<ActualLRP>> ActualLrpsAsync(ActualLrpFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var records = new List<ActualLRP>();
        await foreach (var (_, _, lrp) in ReadActualsAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            records.Add(lrp);
        }

        return records;
    }

    public async Task<IReadOnlyList<ActualLRPGroup>> ActualLrpGroupsAsync(ActualLrpFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var groups = new List<ActualLRPGroup>();
        ActualLRPGroup? group = null;
        (string Guid, int Index) current = (string.Empty, -1);
        await foreach (var (guid, index, lrp) in ReadActualsAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            if (group is null || current != (guid, index))
            {
                group = new ActualLRPGroup();
                groups.Add(group);
                current = (guid, index);
            }

            if (lrp.Presence == ActualLRP.Types.Presence.Evacuating)
            {
                group.Evacuating = lrp;
            }
            else
            {
                group.Instance = lrp;
            }
        }

        return groups;
    }

    public async Task<ActualLRPGroup> ActualLrpGroupAsync(string processGuid, int index, CancellationToken cancellationToken)
    {
        var result = await store.TxnAsync(
            TxnRequest.If().Then(new GetOp(Keys.ActualInstance(processGuid, index)), new GetOp(Keys.ActualEvacuating(processGuid, index))),
            cancellationToken).ConfigureAwait(false);
        var instance = FromGetOp<ActualLRP>(result.Results[0])?.Value;
        var evacuating = FromGetOp<ActualLRP>(result.Results[1])?.Value;
        if (instance is null && evacuating is null)
        {
            throw new BbsErrorException(BbsErrors.ResourceNotFound);
        }

        if (evacuating is not null)
        {
            evacuating.Presence = ActualLRP.Types.Presence.Evacuating;
        }

        return new ActualLRPGroup { Instance = instance, Evacuating = evacuating };
    }

    public Task<ActualLrpChange> ClaimActualLrpAsync(string processGuid, int index, ActualLRPInstanceKey instanceKey, CancellationToken cancellationToken)
    {
        var now = NowNanos;
        return UpdateInstanceAsync(Keys.ActualInstance(processGuid, index), current => ActualLrpLifecycle.Claim(current, instanceKey, now), cancellationToken);
    }

    public Task<ActualLrpChange> StartActualLrpAsync(RunningInstance instance, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var now = NowNanos;
        return UpdateInstanceAsync(
            Keys.ActualInstance(instance.Key.ProcessGuid, instance.Key.Index),
            current => ActualLrpLifecycle.Start(current, instance, now, NewEpoch),
            cancellationToken);
    }

    public async Task<ActualLrpChange> CrashActualLrpAsync(ActualLRPKey key, ActualLRPInstanceKey instanceKey, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var now = NowNanos;

        // E16: an instance whose desired LRP is gone is not restarted but deleted.
        var desired = await GetAsync(Keys.SchedulingInfo(key.ProcessGuid), cancellationToken).ConfigureAwait(false);
        var change = await UpdateInstanceAsync(
            Keys.ActualInstance(key.ProcessGuid, key.Index),
            current => ActualLrpLifecycle.Crash(current, key, instanceKey, reason, now),
            cancellationToken,
            deleteWhen: outcome => outcome.AuctionNeeded && desired.Kv is null).ConfigureAwait(false);
        return change;
    }

    public Task<ActualLrpChange> FailActualLrpAsync(ActualLRPKey key, string placementError, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var now = NowNanos;
        return UpdateInstanceAsync(
            Keys.ActualInstance(key.ProcessGuid, key.Index),
            current => current is not null && !ActualLrpTransitions.KeysEqual(current.ActualLrpKey, key)
                ? LifecycleOutcome<ActualLRP>.Refused(BbsErrors.CannotFail)
                : ActualLrpLifecycle.Fail(current, placementError, now),
            cancellationToken);
    }

    public Task<ActualLrpChange> RemoveActualLrpAsync(string processGuid, int index, ActualLRPInstanceKey? instanceKey, CancellationToken cancellationToken) =>
        UpdateInstanceAsync(
            Keys.ActualInstance(processGuid, index),
            current => ActualLrpLifecycle.Remove(current, instanceKey),
            cancellationToken,
            deleteWhen: _ => true);

    public Task<ActualLrpChange> RetireActualLrpAsync(ActualLRPKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return UpdateInstanceAsync(
            Keys.ActualInstance(key.ProcessGuid, key.Index),
            current => current is null
                ? LifecycleOutcome<ActualLRP>.Refused(BbsErrors.ResourceNotFound)
                : LifecycleOutcome<ActualLRP>.Changed(current),
            cancellationToken,
            deleteWhen: _ => true);
    }

    private async Task<ActualLrpChange> UpdateInstanceAsync(
        string key,
        Func<ActualLRP?, LifecycleOutcome<ActualLRP>> rule,
        CancellationToken cancellationToken,
        Func<LifecycleOutcome<ActualLRP>, bool>? deleteWhen = null)
    {
        var (before, after, auctionNeeded) = await UpdateRecordAsync(key, rule, cancellationToken, deleteWhen).ConfigureAwait(false);
        return new ActualLrpChange(before, after, auctionNeeded);
    }

    public async Task<IReadOnlyList<ReadOnlyMemory<byte>>> ActualLrpBytesAsync(ActualLrpFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var records = new List<ReadOnlyMemory<byte>>();
        foreach (var record in await ActualRecordsAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            records.Add(record.Bytes);
        }

        return records;
    }

    /// <summary>Every actual record matching the filter, in key order, with presence set from its slot.</summary>
    private async IAsyncEnumerable<(string Guid, int Index, ActualLRP Lrp)> ReadActualsAsync(
        ActualLrpFilter filter,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var record in await ActualRecordsAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            yield return (record.ProcessGuid, record.Index, record.Parse());
        }
    }

    /// <summary>The view's decoded actual records matching the filter, in key order.</summary>
    private Task<List<ActualRecord>> ActualRecordsAsync(ActualLrpFilter filter, CancellationToken cancellationToken) =>
        ProjectedAsync<ActualRecord>(
            filter.ProcessGuid.Length > 0 ? Keys.ActualsOf(filter.ProcessGuid) : Keys.ActualPrefix,
            r => (filter.Index is not { } wanted || wanted == r.Index)
                && (filter.Domain.Length == 0 || r.Domain == filter.Domain)
                && (filter.CellId.Length == 0 || r.CellId == filter.CellId),
            cancellationToken);
}
