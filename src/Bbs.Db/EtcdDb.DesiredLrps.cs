using Bbs.Models;
using Bbs.Models.Rules;
using Bbs.Store;

namespace Bbs.Db;

public sealed partial class EtcdDb
{
    public async Task<IReadOnlyList<DesiredLRP>> DesiredLrpsAsync(DesiredLrpFilter filter, CancellationToken cancellationToken) =>
        [.. (await DesiredLrpHalvesAsync(filter, cancellationToken).ConfigureAwait(false)).Select(h => h.Decode(DesiredLrpFields.All))];

    public async Task<IReadOnlyList<DesiredLRP>> DesiredLrpRoutingInfosAsync(DesiredLrpFilter filter, CancellationToken cancellationToken) =>
        [.. (await DesiredLrpHalvesAsync(filter, cancellationToken).ConfigureAwait(false)).Select(h => h.Decode(DesiredLrpFields.Routing))];

    public async Task<IReadOnlyList<DesiredLrpHalves>> DesiredLrpHalvesAsync(DesiredLrpFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);

        // Both halves from one snapshot, so a desire or remove in between is seen whole or not at all. A record under
        // the prefix that cannot be read fails the list (its error names it), matching or not, rather than leave an
        // LRP out. Run infos sort before scheduling infos ("run/" < "schedule/").
        var snapshot = await view.ReadAsync(cancellationToken).ConfigureAwait(false);
        var infos = new List<SchedulingRecord>();
        var runs = new Dictionary<string, ReadOnlyMemory<byte>?>(StringComparer.Ordinal);
        foreach (var entry in snapshot.Entries(Keys.DesiredLrpPrefix))
        {
            if (entry.Projection is UnreadableRecord unreadable)
            {
                throw new BbsErrorException(unreadable.Error);
            }

            if (entry.Projection is SchedulingRecord info && Matches(filter, info))
            {
                infos.Add(info);
                runs.TryAdd(info.ProcessGuid, null);
            }
        }

        // Each scheduling info is joined with the run info stored under its process guid (the key names it).
        var byGuid = runs.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var entry in snapshot.Entries(Keys.RunInfoPrefix))
        {
            if (entry.Projection is RunInfoRecord run && byGuid.ContainsKey(entry.Kv.Key.AsSpan(Keys.RunInfoPrefix.Length)))
            {
                byGuid[entry.Kv.Key.AsSpan(Keys.RunInfoPrefix.Length)] = run.Bytes;
            }
        }

        var halves = new List<DesiredLrpHalves>(infos.Count);
        foreach (var info in infos)
        {
            if (runs[info.ProcessGuid] is { } run)
            {
                halves.Add(new DesiredLrpHalves(info.Bytes, run));
            }
        }

        return halves;
    }

    public async Task<DesiredLRP> DesiredLrpByProcessGuidAsync(string processGuid, CancellationToken cancellationToken)
    {
        var result = await store.TxnAsync(
            TxnRequest.If().Then(new GetOp(Keys.SchedulingInfo(processGuid)), new GetOp(Keys.RunInfo(processGuid))),
            cancellationToken).ConfigureAwait(false);
        var info = FromGetOp<DesiredLRPSchedulingInfo>(result.Results[0]);
        var run = FromGetOp<DesiredLRPRunInfo>(result.Results[1]);
        if (info is null || run is null)
        {
            throw new BbsErrorException(BbsErrors.ResourceNotFound);
        }

        return DesiredLrpParts.Join(info.Value, run.Value);
    }

    public async Task<IReadOnlyList<DesiredLRPSchedulingInfo>> SchedulingInfosAsync(DesiredLrpFilter filter, CancellationToken cancellationToken) =>
        [.. (await SchedulingRecordsAsync(filter, cancellationToken).ConfigureAwait(false)).Select(r => r.Parse())];

    public async Task<IReadOnlyList<ReadOnlyMemory<byte>>> SchedulingInfoBytesAsync(DesiredLrpFilter filter, CancellationToken cancellationToken) =>
        [.. (await SchedulingRecordsAsync(filter, cancellationToken).ConfigureAwait(false)).Select(r => r.Bytes)];

    /// <summary>The view's decoded scheduling infos matching the filter, in key order.</summary>
    private Task<List<SchedulingRecord>> SchedulingRecordsAsync(DesiredLrpFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return ProjectedAsync<SchedulingRecord>(Keys.SchedulingInfoPrefix, r => Matches(filter, r), cancellationToken);
    }

    public async Task<DesiredLRPSchedulingInfo> SchedulingInfoByProcessGuidAsync(string processGuid, CancellationToken cancellationToken)
    {
        var info = await ReadAsync<DesiredLRPSchedulingInfo>(Keys.SchedulingInfo(processGuid), cancellationToken).ConfigureAwait(false);
        return info?.Value ?? throw new BbsErrorException(BbsErrors.ResourceNotFound);
    }

    public async Task<DesiredLrpChange> DesireLrpAsync(DesiredLRP desiredLrp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desiredLrp);
        var guid = desiredLrp.ProcessGuid;
        var now = NowNanos;
        var info = DesiredLrpParts.SchedulingInfo(desiredLrp, ModificationTagRules.New(NewEpoch()));
        var run = DesiredLrpParts.RunInfo(desiredLrp, now);
        var actualKey = new ActualLRPKey { ProcessGuid = guid, Domain = desiredLrp.Domain };

        for (var attempt = 0; attempt < options.MaxCasAttempts; attempt++)
        {
            // Instance records left behind by an earlier desire of this guid are kept, not overwritten.
            var existing = await ExistingInstanceIndicesAsync(guid, cancellationToken).ConfigureAwait(false);
            var missing = Enumerable.Range(0, desiredLrp.Instances).Where(i => !existing.Contains(i)).ToList();
            var firstBatch = missing.Take(options.MaxTxnOps - 2).ToList();

            var records = firstBatch.ToDictionary(i => i, i => ActualLrpLifecycle.NewUnclaimed(Index(actualKey, i), now, NewEpoch()));
            var txn = TxnRequest.If([TxnCompare.Absent(Keys.SchedulingInfo(guid)), TxnCompare.Absent(Keys.RunInfo(guid)), .. firstBatch.Select(i => TxnCompare.Absent(Keys.ActualInstance(guid, i)))])
                .Then([Put(Keys.RunInfo(guid), run), Put(Keys.SchedulingInfo(guid), info), .. firstBatch.Select(i => Put(Keys.ActualInstance(guid, i), records[i]))])
                .Else(new GetOp(Keys.SchedulingInfo(guid)), new GetOp(Keys.RunInfo(guid)));
            var result = await store.TxnAsync(txn, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                if (result.Results[0].Kvs is { Count: > 0 } || result.Results[1].Kvs is { Count: > 0 })
                {
                    throw new BbsErrorException(BbsErrors.ResourceExists);
                }

                continue;
            }

            foreach (var (i, record) in records)
            {
                Remember(Keys.ActualInstance(guid, i), new Stored<ActualLRP>(record, result.Revision));
            }

            // More instances than one transaction may carry: the rest follow, each guarded on absence.
            var created = new List<int>(firstBatch);
            created.AddRange(await CreateUnclaimedAsync(actualKey, missing.Skip(firstBatch.Count).ToList(), now, cancellationToken).ConfigureAwait(false));
            return new DesiredLrpChange(null, info, created, []);
        }

        throw new BbsErrorException(BbsErrors.ResourceConflict);
    }

    public async Task<DesiredLrpChange> UpdateDesiredLrpAsync(string processGuid, DesiredLRPUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        for (var attempt = 0; attempt < options.MaxCasAttempts; attempt++)
        {
            var read = await store.TxnAsync(
                TxnRequest.If().Then(new GetOp(Keys.SchedulingInfo(processGuid)), new GetOp(Keys.RunInfo(processGuid)), new GetOp(Keys.ActualsOf(processGuid), Prefix: true)),
                cancellationToken).ConfigureAwait(false);
            var before = FromGetOp<DesiredLRPSchedulingInfo>(read.Results[0]) ?? throw new BbsErrorException(BbsErrors.ResourceNotFound);
            var run = FromGetOp<DesiredLRPRunInfo>(read.Results[1]);
            var after = before.Value.Clone();
            after.ModificationTag = ModificationTagRules.Incremented(after.ModificationTag);
            if (update.HasInstances)
            {
                after.Instances = update.Instances;
            }

            if (update.Routes is not null)
            {
                after.Routes = update.Routes.Clone();
            }

            if (update.HasAnnotation)
            {
                after.Annotation = update.Annotation;
            }

            var compares = new List<TxnCompare> { TxnCompare.ModRevisionIs(Keys.SchedulingInfo(processGuid), before.ModRevision) };
            var ops = new List<TxnOp> { Put(Keys.SchedulingInfo(processGuid), after) };
            if (run is not null && (update.MetricTags.Count > 0 || update.HasImageUsername || update.HasImagePassword))
            {
                var newRun = run.Value.Clone();
                if (update.MetricTags.Count > 0)
                {
                    newRun.MetricTags.Clear();
                    newRun.MetricTags.Add(update.MetricTags);
                }

                if (update.HasImageUsername)
                {
                    newRun.ImageUsername = update.ImageUsername;
                }

                if (update.HasImagePassword)
                {
                    newRun.ImagePassword = update.ImagePassword;
                }

                compares.Add(TxnCompare.ModRevisionIs(Keys.RunInfo(processGuid), run.ModRevision));
                ops.Add(Put(Keys.RunInfo(processGuid), newRun));
            }

            var instances = InstanceRecords(read.Results[2]);
            var now = NowNanos;
            var actualKey = new ActualLRPKey { ProcessGuid = processGuid, Domain = after.DesiredLrpKey.Domain };
            var toCreate = Enumerable.Range(0, Math.Max(0, after.Instances)).Where(i => !instances.ContainsKey(i)).ToList();
            var toRemove = instances.Where(p => p.Key >= after.Instances).OrderBy(p => p.Key).ToList();

            // What fits in this transaction goes in it; the rest follows, guarded the same way.
            var room = options.MaxTxnOps - ops.Count;
            var removeNow = toRemove.Take(room).ToList();
            room -= removeNow.Count;
            var createNow = toCreate.Take(Math.Max(0, room)).ToList();
            compares.AddRange(removeNow.Select(p => TxnCompare.ModRevisionIs(p.Value.Key, p.Value.ModRevision)));
            compares.AddRange(createNow.Select(i => TxnCompare.Absent(Keys.ActualInstance(processGuid, i))));
            ops.AddRange(removeNow.Select(p => (TxnOp)new DeleteOp(p.Value.Key)));
            ops.AddRange(createNow.Select(i => Put(Keys.ActualInstance(processGuid, i), ActualLrpLifecycle.NewUnclaimed(Index(actualKey, i), now, NewEpoch()))));
            var result = await store.TxnAsync(new TxnRequest(compares, ops, []), cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                continue;
            }

            var removed = removeNow.Select(p => Decode<ActualLRP>(p.Value)).ToList();
            removed.AddRange(await RemoveInstancesAsync(toRemove.Skip(removeNow.Count).Select(p => p.Value).ToList(), cancellationToken).ConfigureAwait(false));
            var created = new List<int>(createNow);
            created.AddRange(await CreateUnclaimedAsync(actualKey, toCreate.Skip(createNow.Count).ToList(), now, cancellationToken).ConfigureAwait(false));
            return new DesiredLrpChange(before.Value, after, created, removed);
        }

        throw new BbsErrorException(BbsErrors.ResourceConflict);
    }

    public async Task<DesiredLrpChange> RemoveDesiredLrpAsync(string processGuid, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < options.MaxCasAttempts; attempt++)
        {
            var read = await store.TxnAsync(
                TxnRequest.If().Then(new GetOp(Keys.SchedulingInfo(processGuid)), new GetOp(Keys.RunInfo(processGuid)), new GetOp(Keys.ActualsOf(processGuid), Prefix: true)),
                cancellationToken).ConfigureAwait(false);
            var infoKv = read.Results[0].Kvs is { Count: > 0 } i ? i[0] : null;
            var runKv = read.Results[1].Kvs is { Count: > 0 } r ? r[0] : null;
            if (infoKv is null && runKv is null)
            {
                throw new BbsErrorException(BbsErrors.ResourceNotFound);
            }

            var before = infoKv is null ? null : TryDecode<DesiredLRPSchedulingInfo>(infoKv);
            var instances = InstanceRecords(read.Results[2]).OrderBy(p => p.Key).Select(p => p.Value).ToList();
            var compares = new List<TxnCompare>
            {
                TxnCompare.ModRevisionIs(Keys.SchedulingInfo(processGuid), infoKv?.ModRevision ?? 0),
                TxnCompare.ModRevisionIs(Keys.RunInfo(processGuid), runKv?.ModRevision ?? 0),
            };
            var ops = new List<TxnOp> { new DeleteOp(Keys.SchedulingInfo(processGuid)), new DeleteOp(Keys.RunInfo(processGuid)) };
            var removeNow = instances.Take(options.MaxTxnOps - 2).ToList();
            compares.AddRange(removeNow.Select(kv => TxnCompare.ModRevisionIs(kv.Key, kv.ModRevision)));
            ops.AddRange(removeNow.Select(kv => (TxnOp)new DeleteOp(kv.Key)));

            var result = await store.TxnAsync(new TxnRequest(compares, ops, []), cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                continue;
            }

            var removed = removeNow.Select(TryDecode<ActualLRP>).OfType<ActualLRP>().ToList();
            removed.AddRange(await RemoveInstancesAsync(instances.Skip(removeNow.Count).ToList(), cancellationToken).ConfigureAwait(false));

            // An instance created between the read and the delete (convergence recreating a missing index while the
            // LRP was still desired) would outlive the removal. Creations are guarded on the desired LRP, so none can
            // follow the delete: one more read finds every such instance.
            var late = await store.TxnAsync(TxnRequest.If().Then(new GetOp(Keys.ActualsOf(processGuid), Prefix: true)), cancellationToken).ConfigureAwait(false);
            removed.AddRange(await RemoveInstancesAsync([.. InstanceRecords(late.Results[0]).OrderBy(p => p.Key).Select(p => p.Value)], cancellationToken).ConfigureAwait(false));
            return new DesiredLrpChange(before, null, [], removed);
        }

        throw new BbsErrorException(BbsErrors.ResourceConflict);
    }

    private static ActualLRPKey Index(ActualLRPKey key, int index) => new() { ProcessGuid = key.ProcessGuid, Domain = key.Domain, Index = index };

    private static bool Matches(DesiredLrpFilter filter, SchedulingRecord info) =>
        (filter.Domain.Length == 0 || info.Domain == filter.Domain)
        && (filter.ProcessGuids.Count == 0 || filter.ProcessGuids.Contains(info.ProcessGuid))
        && (filter.AppGuids.Count == 0 || filter.AppGuids.Any(app => info.ProcessGuid.StartsWith(app, StringComparison.Ordinal)));

    private async Task<HashSet<int>> ExistingInstanceIndicesAsync(string processGuid, CancellationToken cancellationToken)
    {
        var range = await RangeAsync(Keys.ActualsOf(processGuid), cancellationToken).ConfigureAwait(false);
        return [.. InstanceRecords(range.Kvs).Keys];
    }

    private static Dictionary<int, KeyValue> InstanceRecords(TxnOpResult result) => InstanceRecords(result.Kvs ?? []);

    private static Dictionary<int, KeyValue> InstanceRecords(IEnumerable<KeyValue> kvs)
    {
        var records = new Dictionary<int, KeyValue>();
        foreach (var kv in kvs)
        {
            if (Keys.TryParseActual(kv.Key, out _, out var index, out var evacuating) && !evacuating)
            {
                records[index] = kv;
            }
        }

        return records;
    }

    /// <summary>
    /// Creates UNCLAIMED records for the indices, in transactions of at most MaxTxnOps, each guarded on absence and
    /// on the desired LRP's presence; stops (returning what it created) once the desired LRP is gone.
    /// </summary>
    private async Task<IReadOnlyList<int>> CreateUnclaimedAsync(ActualLRPKey key, IReadOnlyList<int> indices, long now, CancellationToken cancellationToken)
    {
        var created = new List<int>();
        foreach (var chunk in indices.Chunk(options.MaxTxnOps - 1))
        {
            var pending = chunk.ToList();
            while (pending.Count > 0)
            {
                var records = pending.ToDictionary(i => i, i => ActualLrpLifecycle.NewUnclaimed(Index(key, i), now, NewEpoch()));
                // Only while the LRP is still desired: convergence decides from a snapshot and writes later, and a
                // removal acknowledged in between must not get instances back (the fault harness found this).
                var result = await store.TxnAsync(
                    new TxnRequest(
                        [TxnCompare.Present(Keys.SchedulingInfo(key.ProcessGuid)), .. pending.Select(i => TxnCompare.Absent(Keys.ActualInstance(key.ProcessGuid, i)))],
                        [.. pending.Select(i => Put(Keys.ActualInstance(key.ProcessGuid, i), records[i]))],
                        [new GetOp(Keys.SchedulingInfo(key.ProcessGuid))]),
                    cancellationToken).ConfigureAwait(false);
                if (!result.Succeeded && result.Results[0].Kvs is not { Count: > 0 })
                {
                    return created;
                }

                if (result.Succeeded)
                {
                    foreach (var (i, record) in records)
                    {
                        Remember(Keys.ActualInstance(key.ProcessGuid, i), new Stored<ActualLRP>(record, result.Revision));
                    }

                    created.AddRange(pending);
                    break;
                }

                var existing = await ExistingInstanceIndicesAsync(key.ProcessGuid, cancellationToken).ConfigureAwait(false);
                pending.RemoveAll(existing.Contains);
            }
        }

        return created;
    }

    /// <summary>Deletes instance records (each guarded by the revision read), in chunks; returns what it deleted.</summary>
    private async Task<IReadOnlyList<ActualLRP>> RemoveInstancesAsync(IReadOnlyList<KeyValue> records, CancellationToken cancellationToken)
    {
        var removed = new List<ActualLRP>();
        foreach (var kv in records)
        {
            var result = await store.TxnAsync(
                TxnRequest.If(TxnCompare.ModRevisionIs(kv.Key, kv.ModRevision)).Then(new DeleteOp(kv.Key)),
                cancellationToken).ConfigureAwait(false);
            if (result.Succeeded && TryDecode<ActualLRP>(kv) is { } lrp)
            {
                removed.Add(lrp);
            }
        }

        return removed;
    }
}
