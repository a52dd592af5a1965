using Bbs.Db.Format;
using Bbs.Store;
using Bbs.Store.View;

namespace Bbs.Db;

/// <summary>How the BBS records of one view snapshot are sealed, against the active key.</summary>
/// <param name="Records">Every record that carries a stored model (domains and the lock are not records).</param>
/// <param name="Stale">Records not sealed under the active key that this instance can re-seal.</param>
/// <param name="Unreadable">Records this instance cannot read, with the first few of them for messages.</param>
public sealed record SealCounts(long Revision, int Records, IReadOnlyList<KeyValue> Stale, int Unreadable, IReadOnlyList<UnreadableRecord> FirstUnreadable);

/// <summary>What <see cref="RecordResealer.ResealAsync"/> did with one record.</summary>
public enum ResealOutcome
{
    /// <summary>Written again, sealed under the active key, in a transaction guarded on the revision read.</summary>
    Resealed,

    /// <summary>Changed or deleted since it was read (the guard failed), or it is no longer stale: nothing written.</summary>
    Skipped,

    /// <summary>Sealed with a key that is not configured (or does not decode): nothing written, and never deleted.</summary>
    Unreadable,
}

/// <summary>
/// Key rotation (E16's encryptor, record by record): a record sealed under another key than the active one is
/// written again under the active key, its model bytes untouched (<see cref="RecordSerializer.Reencode"/>), its lease
/// kept, in one transaction guarded on the mod revision it was read at. A record that changed meanwhile is skipped: its
/// writer sealed it under its own active key, and the next scan looks at it again. Nothing is kept between scans, so a
/// pass interrupted by a restart or a change of leader resumes by scanning for what is still stale.
/// </summary>
public sealed class RecordResealer(IKeyValueStore store, RecordSerializer serializer)
{
    private const int MaxListedUnreadable = 5;

    /// <summary>The label records are re-sealed under; null when no encryption keys are configured (nothing is stale then).</summary>
    public string? ActiveKeyLabel => serializer.ActiveKeyLabel;

    /// <summary>True for the keys that hold an encoded BBS record: scheduling and run infos, actual LRPs, tasks and cells.</summary>
    public static bool IsRecordKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.StartsWith(Keys.DesiredLrpPrefix, StringComparison.Ordinal)
            || key.StartsWith(Keys.ActualPrefix, StringComparison.Ordinal)
            || key.StartsWith(Keys.TaskPrefix, StringComparison.Ordinal)
            || key.StartsWith(Keys.CellPrefix, StringComparison.Ordinal);
    }

    /// <summary>Counts the snapshot's records that are stale or unreadable, from their labels and the view's projections (nothing is decrypted).</summary>
    public SealCounts Count(ViewSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var stale = new List<KeyValue>();
        var first = new List<UnreadableRecord>();
        int records = 0, unreadable = 0;
        foreach (var entry in snapshot.Entries(Keys.Root))
        {
            var kv = entry.Kv;
            if (!IsRecordKey(kv.Key))
            {
                continue;
            }

            records++;
            var problem = entry.Projection as UnreadableRecord
                ?? (serializer.IsSealedWithUnknownKey(kv.Value.Span) ? UnreadableRecord.UnknownKey(kv.Key, RecordSerializer.SealedLabel(kv.Value.Span)!) : null);
            if (problem is not null)
            {
                unreadable++;
                if (first.Count < MaxListedUnreadable)
                {
                    first.Add(problem);
                }
            }
            else if (serializer.IsStale(kv.Value.Span))
            {
                stale.Add(kv);
            }
        }

        return new SealCounts(snapshot.Revision, records, stale, unreadable, first);
    }

    /// <summary>Re-seals one record read at <see cref="KeyValue.ModRevision"/>, guarded on that revision.</summary>
    /// <exception cref="StoreException">The store failed; the record may or may not have been re-sealed (either is safe).</exception>
    public async Task<(ResealOutcome Outcome, RecordFormatException? Failure)> ResealAsync(KeyValue kv, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kv);
        if (!serializer.IsStale(kv.Value.Span))
        {
            return (ResealOutcome.Skipped, null);
        }

        byte[] value;
        try
        {
            value = serializer.Reencode(kv.Value.Span);
        }
        catch (RecordFormatException ex)
        {
            return (ResealOutcome.Unreadable, ex);
        }

        try
        {
            var result = await store.TxnAsync(
                TxnRequest.If(TxnCompare.ModRevisionIs(kv.Key, kv.ModRevision)).Then(new PutOp(kv.Key, value, kv.Lease)),
                cancellationToken).ConfigureAwait(false);
            return (result.Succeeded ? ResealOutcome.Resealed : ResealOutcome.Skipped, null);
        }
        catch (StoreLeaseNotFoundException)
        {
            // The record's lease (an evacuating instance, a cell presence) expired since it was read: etcd deletes it.
            return (ResealOutcome.Skipped, null);
        }
    }
}
