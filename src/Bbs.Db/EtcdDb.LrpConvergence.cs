using Bbs.Models;
using Bbs.Models.Rules;
using Bbs.Store;

namespace Bbs.Db;

/// <summary>What one LRP convergence pass is told: the cells that are present and the creation timeout of run infos.</summary>
public sealed record LrpConvergenceRequest(IReadOnlySet<string> PresentCells, TimeSpan DesiredLrpCreationTimeout);

/// <summary>
/// What a pass did and what the caller must follow up: instances to auction (per desired LRP), records that
/// were retired (their reps are asked to stop CLAIMED/RUNNING ones), and the counts behind BBS's metrics.
/// </summary>
public sealed record LrpConvergenceResult(
    IReadOnlyList<(DesiredLRPSchedulingInfo Info, IReadOnlyList<int> Indices)> Auctions,
    IReadOnlyList<ActualLRP> Retired,
    int Missing,
    int Extra,
    int MissingCell,
    int RestartedCrashed,
    int StaleUnclaimed,
    int Pruned,
    int Desired,
    int Unclaimed,
    int Claimed,
    int Running,
    int Crashed,
    int CrashingDesired,
    IReadOnlyDictionary<string, bool> DomainFreshness);

public interface ILrpConvergenceDb
{
    /// <summary>One LRP convergence pass (bbs-protocol.md §7, E16's rules); every change is its own guarded write.</summary>
    Task<LrpConvergenceResult> ConvergeLrpsAsync(LrpConvergenceRequest request, CancellationToken cancellationToken);
}

public sealed partial class EtcdDb : ILrpConvergenceDb
{
    public async Task<LrpConvergenceResult> ConvergeLrpsAsync(LrpConvergenceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = NowNanos;
        var tally = new Tally();

        // Gather: the actual tree first, then the desired tree, then fresh domains (as E16).
        // One snapshot: instances, desired LRPs and domains as of one revision.
        var snapshot = await view.ReadAsync(cancellationToken).ConfigureAwait(false);
        var desiredRange = snapshot.Range(Keys.DesiredLrpPrefix);
        var domainRange = snapshot.Range(Keys.DomainPrefix);
        var fresh = domainRange.Kvs.Select(kv => kv.Key[Keys.DomainPrefix.Length..]).ToHashSet(StringComparer.Ordinal);

        // The view's records: a pass decides on their projected fields and parses only the records it changes.
        var actuals = new Dictionary<string, List<(KeyValue Kv, ActualRecord Record)>>(StringComparer.Ordinal);

        // Process guids with a record this instance cannot read (sealed with a key that is not configured): their
        // LRPs are not converged at all, since what they hold is unknown, and nothing of them is deleted.
        var sealedAway = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in snapshot.Entries(Keys.ActualPrefix))
        {
            var kv = entry.Kv;

            // The view decoded the record when it applied it, with the guid and slot of its key (one shared guid string
            // per LRP), so the common case parses neither key nor record.
            if (entry.Projection is ActualRecord record)
            {
                if (!record.Evacuating)
                {
                    CollectionsMarshalAdd(actuals, record.ProcessGuid, (kv, record));
                }

                continue;
            }

            if (!Keys.TryParseActual(kv.Key, out var guid, out _, out _))
            {
                continue;
            }

            // A record sealed with a key that is not configured is intact and is left alone, its slot taken; one that
            // does not decode otherwise is pruned, as E16 did.
            if (entry.Projection is UnreadableRecord { IsKeyFailure: true })
            {
                sealedAway.Add(guid);
                continue;
            }

            tally.Pruned += await DeleteIfUnchangedAsync(kv, cancellationToken).ConfigureAwait(false) ? 1 : 0;
        }

        var infos = await PruneDesiredAsync(desiredRange.Kvs, request.DesiredLrpCreationTimeout, now, tally, sealedAway, cancellationToken).ConfigureAwait(false);
        foreach (var guid in sealedAway)
        {
            infos.Remove(guid);
            actuals.Remove(guid);
        }

        var auctions = new List<(DesiredLRPSchedulingInfo, IReadOnlyList<int>)>();
        var retired = new List<ActualLRP>();

        foreach (var (guid, info) in infos)
        {
            tally.Desired++;
            var records = actuals.Remove(guid, out var list) ? list : [];
            var toAuction = new List<int>();
            var key = new ActualLRPKey { ProcessGuid = guid, Domain = info.DesiredLrpKey.Domain };
            var present = records.Select(r => r.Record.Index).ToHashSet();
            var missing = Enumerable.Range(0, Math.Max(0, info.Instances)).Where(i => !present.Contains(i)).ToList();
            tally.Missing += missing.Count;
            toAuction.AddRange(await CreateUnclaimedAsync(key, missing, now, cancellationToken).ConfigureAwait(false));
            var crashing = false;

            foreach (var (kv, record) in records)
            {
                tally.Count(record.State);
                var index = record.Index;
                crashing |= record.CrashCount > 0 && record.State != ActualLrpStates.Running;
                if (record.State is ActualLrpStates.Claimed or ActualLrpStates.Running && !request.PresentCells.Contains(record.CellId))
                {
                    // Missing cell (E16): the instance is gone with its cell; recreate it UNCLAIMED if still desired.
                    tally.MissingCell++;
                    if (index < info.Instances)
                    {
                        var replacement = ActualLrpLifecycle.NewUnclaimed(Index(key, index), now, NewEpoch());
                        if (await ReplaceIfUnchangedAsync(kv, replacement, cancellationToken).ConfigureAwait(false))
                        {
                            toAuction.Add(index);
                        }
                    }
                    else if (await DeleteIfUnchangedAsync(kv, cancellationToken).ConfigureAwait(false))
                    {
                        retired.Add(record.Parse());
                    }
                }
                else if (index >= info.Instances && fresh.Contains(record.Domain))
                {
                    tally.Extra++;
                    if (await DeleteIfUnchangedAsync(kv, cancellationToken).ConfigureAwait(false))
                    {
                        retired.Add(record.Parse());
                    }
                }
                else if (RestartCalculator.ShouldRestartCrash(now, record.State, record.Since, record.CrashCount))
                {
                    tally.RestartedCrashed++;
                    if (ActualLrpLifecycle.Unclaim(record.Parse(), now).Record is { } unclaimed && await ReplaceIfUnchangedAsync(kv, unclaimed, cancellationToken).ConfigureAwait(false))
                    {
                        toAuction.Add(index);
                    }
                }
                else if (RestartCalculator.IsStaleUnclaimed(record.State, record.Since, now))
                {
                    tally.StaleUnclaimed++;
                    toAuction.Add(index);
                }
            }

            tally.CrashingDesired += crashing ? 1 : 0;
            if (toAuction.Count > 0)
            {
                auctions.Add((info, toAuction));
            }
        }

        // Instances with no desired LRP are retired, in fresh domains only.
        foreach (var (kv, record) in actuals.Values.SelectMany(r => r))
        {
            tally.Count(record.State);
            if (fresh.Contains(record.Domain))
            {
                tally.Extra++;
                if (await DeleteIfUnchangedAsync(kv, cancellationToken).ConfigureAwait(false))
                {
                    retired.Add(record.Parse());
                }
            }
        }

        var freshness = infos.Values.Select(i => i.DesiredLrpKey.Domain).Concat(fresh).Distinct(StringComparer.Ordinal)
            .ToDictionary(d => d, fresh.Contains, StringComparer.Ordinal);
        return new LrpConvergenceResult(
            auctions, retired, tally.Missing, tally.Extra, tally.MissingCell, tally.RestartedCrashed, tally.StaleUnclaimed, tally.Pruned,
            tally.Desired, tally.Unclaimed, tally.Claimed, tally.Running, tally.Crashed, tally.CrashingDesired, freshness);
    }

    /// <summary>
    /// Scheduling infos without a run info are deleted; run infos without a scheduling info once older than the
    /// creation timeout (a desire may be writing them); undecodable records too, but not records sealed with a key
    /// that is not configured: their guids go to <paramref name="sealedAway"/> and nothing of them is deleted.
    /// Returns the scheduling infos of the complete pairs.
    /// </summary>
    private async Task<SortedDictionary<string, DesiredLRPSchedulingInfo>> PruneDesiredAsync(
        IReadOnlyList<KeyValue> kvs, TimeSpan creationTimeout, long now, Tally tally, HashSet<string> sealedAway, CancellationToken cancellationToken)
    {
        var infoKvs = new Dictionary<string, KeyValue>(StringComparer.Ordinal);
        var runKvs = new Dictionary<string, KeyValue>(StringComparer.Ordinal);
        foreach (var kv in kvs)
        {
            if (kv.Key.StartsWith(Keys.SchedulingInfoPrefix, StringComparison.Ordinal))
            {
                infoKvs[kv.Key[Keys.SchedulingInfoPrefix.Length..]] = kv;
            }
            else if (kv.Key.StartsWith(Keys.RunInfoPrefix, StringComparison.Ordinal))
            {
                runKvs[kv.Key[Keys.RunInfoPrefix.Length..]] = kv;
            }
        }

        // Decode both halves first: a half sealed with a key that is not configured keeps the whole LRP out of the pass.
        var runs = Decoded<DesiredLRPRunInfo>(runKvs, sealedAway);
        var infoValues = Decoded<DesiredLRPSchedulingInfo>(infoKvs, sealedAway);
        var kept = new Dictionary<string, DesiredLRPRunInfo>(StringComparer.Ordinal);
        foreach (var (guid, kv) in runKvs.Where(p => !sealedAway.Contains(p.Key)))
        {
            var run = runs[guid];
            var orphaned = !infoKvs.ContainsKey(guid) && run is not null && now - run.CreatedAt > creationTimeout.Ticks * 100;
            if (run is null || orphaned)
            {
                tally.Pruned += await DeleteIfUnchangedAsync(kv, cancellationToken).ConfigureAwait(false) ? 1 : 0;
            }
            else
            {
                kept[guid] = run;
            }
        }

        var infos = new SortedDictionary<string, DesiredLRPSchedulingInfo>(StringComparer.Ordinal);
        foreach (var (guid, kv) in infoKvs.Where(p => !sealedAway.Contains(p.Key)))
        {
            var info = infoValues[guid];
            if (info is null || !kept.ContainsKey(guid))
            {
                tally.Pruned += await DeleteIfUnchangedAsync(kv, cancellationToken).ConfigureAwait(false) ? 1 : 0;
            }
            else
            {
                infos[guid] = info;
            }
        }

        return infos;
    }

    /// <summary>Each record decoded, or null when it does not decode; a key failure adds its guid to <paramref name="sealedAway"/>.</summary>
    private Dictionary<string, T?> Decoded<T>(Dictionary<string, KeyValue> kvs, HashSet<string> sealedAway)
        where T : class, Google.Protobuf.IMessage<T>, new()
    {
        var decoded = new Dictionary<string, T?>(StringComparer.Ordinal);
        foreach (var (guid, kv) in kvs)
        {
            try
            {
                decoded[guid] = serializer.Deserialize<T>(kv.Value.Span);
            }
            catch (Bbs.Db.Format.RecordFormatException ex)
            {
                LogUndecodable(logger, kv.Key, ex.Message);
                decoded[guid] = null;
                if (ex.IsKeyFailure)
                {
                    sealedAway.Add(guid);
                }
            }
        }

        return decoded;
    }

    private async Task<bool> ReplaceIfUnchangedAsync(KeyValue kv, ActualLRP next, CancellationToken cancellationToken)
    {
        var result = await store.TxnAsync(TxnRequest.If(TxnCompare.ModRevisionIs(kv.Key, kv.ModRevision)).Then(Put(kv.Key, next)), cancellationToken).ConfigureAwait(false);
        return result.Succeeded;
    }

    private static void CollectionsMarshalAdd(Dictionary<string, List<(KeyValue Kv, ActualRecord Record)>> map, string guid, (KeyValue Kv, ActualRecord Record) record)
    {
        if (!map.TryGetValue(guid, out var list))
        {
            list = [];
            map[guid] = list;
        }

        list.Add(record);
    }

    private sealed class Tally
    {
        public int Missing { get; set; }

        public int Extra { get; set; }

        public int MissingCell { get; set; }

        public int RestartedCrashed { get; set; }

        public int StaleUnclaimed { get; set; }

        public int Pruned { get; set; }

        public int Desired { get; set; }

        public int Unclaimed { get; private set; }

        public int Claimed { get; private set; }

        public int Running { get; private set; }

        public int Crashed { get; private set; }

        public int CrashingDesired { get; set; }

        public void Count(string state)
        {
            switch (state)
            {
                case ActualLrpStates.Unclaimed: Unclaimed++; break;
                case ActualLrpStates.Claimed: Claimed++; break;
                case ActualLrpStates.Running: Running++; break;
                case ActualLrpStates.Crashed: Crashed++; break;
            }
        }
    }
}
