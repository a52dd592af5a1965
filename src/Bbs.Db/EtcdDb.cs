using Bbs.Db.Format;
using Bbs.Models;
using Bbs.Models.Rules;
using Bbs.Store;
using Bbs.Store.View;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace Bbs.Db;

/// <summary>
/// <see cref="IDb"/> on the key-value port with the etcd-era layout (<see cref="Keys"/>) and the E16 record
/// format. Every state change is one transaction guarded by the mod revisions it read; a lost race re-reads
/// (the failure branch reads the key in the same round trip) and re-applies the rules to the new state.
/// Reads are answered from the process's <see cref="KeyValueView"/> of <c>/v1/</c>, fenced on the store's current
/// revision, so they are as fresh as a read from the store and never range it.
/// </summary>
public sealed partial class EtcdDb : IDb
{
    private readonly IKeyValueStore store;
    private readonly RecordSerializer serializer;
    private readonly TimeProvider time;
    private readonly EtcdDbOptions options;
    private readonly ILogger<EtcdDb> logger;
    private readonly KeyValueView view;
    private readonly RecordCache cache;

    public EtcdDb(IKeyValueStore store, KeyValueView view, RecordSerializer serializer, TimeProvider time, EtcdDbOptions options, ILogger<EtcdDb> logger)
    {
        this.store = store;
        this.view = view;
        this.serializer = serializer;
        this.time = time;
        this.options = options;
        this.logger = logger;
        cache = new RecordCache(options.RecordCacheSize, () => view.Revision);
    }

    /// <summary>Records held by the write cache (this process's writes the view has not applied yet, at most).</summary>
    internal int CachedRecords => cache.Count;

    /// <summary>Now, in unix nanoseconds (the unit of every BBS timestamp).</summary>
    private long NowNanos => (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;

    private static string NewEpoch() => Guid.NewGuid().ToString();

    private T Decode<T>(KeyValue kv)
        where T : class, IMessage<T>, new()
    {
        try
        {
            return serializer.Deserialize<T>(kv.Value.Span);
        }
        catch (RecordFormatException ex)
        {
            LogUndecodable(logger, kv.Key, ex.Message);
            throw new BbsErrorException(ex.ErrorFor(kv.Key));
        }
    }

    /// <summary>
    /// Decodes, or null (logged) for a record that does not decode: only for records being deleted, where the
    /// decoded value is merely reported. Reads never skip a record (see <see cref="UnreadableRecord"/>).
    /// </summary>
    private T? TryDecode<T>(KeyValue kv)
        where T : class, IMessage<T>, new()
    {
        try
        {
            return serializer.Deserialize<T>(kv.Value.Span);
        }
        catch (RecordFormatException ex)
        {
            LogUndecodable(logger, kv.Key, ex.Message);
            return null;
        }
    }

    /// <summary>Every key under <paramref name="prefix"/> as of now (the view, fenced on the store's revision).</summary>
    private async Task<RangeResult> RangeAsync(string prefix, CancellationToken cancellationToken) =>
        (await view.ReadAsync(cancellationToken).ConfigureAwait(false)).Range(prefix);

    /// <summary>
    /// The view's decoded records of type <typeparamref name="TRecord"/> under <paramref name="prefix"/> that
    /// <paramref name="matches"/> accepts, as of now, in key order: filtered without decoding anything. A record under
    /// the prefix that cannot be read fails the whole list with its error (naming the key and the key label), whether
    /// or not it would match: its fields are unknown, and a list without it would look like it was deleted.
    /// </summary>
    private async Task<List<TRecord>> ProjectedAsync<TRecord>(string prefix, Func<TRecord, bool> matches, CancellationToken cancellationToken)
        where TRecord : class
    {
        var snapshot = await view.ReadAsync(cancellationToken).ConfigureAwait(false);
        var records = new List<TRecord>();
        foreach (var entry in snapshot.Entries(prefix))
        {
            if (entry.Projection is TRecord record && matches(record))
            {
                records.Add(record);
            }
            else if (entry.Projection is UnreadableRecord unreadable)
            {
                throw new BbsErrorException(unreadable.Error);
            }
        }

        return records;
    }

    /// <summary>One key as of now (the view, fenced on the store's revision).</summary>
    private async Task<GetResult> GetAsync(string key, CancellationToken cancellationToken) =>
        (await view.ReadAsync(cancellationToken).ConfigureAwait(false)).GetResult(key);

    private async Task<Stored<T>?> ReadAsync<T>(string key, CancellationToken cancellationToken)
        where T : class, IMessage<T>, new()
    {
        var result = await GetAsync(key, cancellationToken).ConfigureAwait(false);
        return result.Kv is null ? null : new Stored<T>(Decode<T>(result.Kv), result.Kv.ModRevision, result.Kv.Lease);
    }

    /// <summary>
    /// The newest value this process knows for <paramref name="key"/> without a round trip: its own last write
    /// (the cache) or the view's latest snapshot, whichever is newer. It may be stale, which a guarded write
    /// detects; false when the view is not loaded yet.
    /// </summary>
    private bool TryLatest<T>(string key, out Stored<T>? latest)
        where T : class, IMessage<T>, new()
    {
        latest = null;
        if (view.Current is not { } snapshot)
        {
            return false;
        }

        var kv = snapshot.Get(key);
        bool cached = cache.TryGet<Stored<T>>(key, out var written);
        if (cached && kv is not null && kv.ModRevision >= written.ModRevision)
        {
            // The view has caught up with this process's write: it answers for the key from now on.
            cache.Remove(key);
            cached = false;
        }

        if (cached && (kv is null || written.ModRevision > kv.ModRevision))
        {
            latest = written;
        }
        else if (kv is not null)
        {
            latest = new Stored<T>(Decode<T>(kv), kv.ModRevision, kv.Lease);
        }

        return true;
    }

    private Stored<T>? FromGetOp<T>(TxnOpResult result)
        where T : class, IMessage<T>, new()
    {
        var kv = result.Kvs is { Count: > 0 } kvs ? kvs[0] : null;
        return kv is null ? null : new Stored<T>(Decode<T>(kv), kv.ModRevision, kv.Lease);
    }

    private PutOp Put<T>(string key, T record, long lease = 0)
        where T : IMessage<T>
    {
        try
        {
            var value = serializer.Serialize(record);
            return CheckedPut(key, value, lease);
        }
        catch (RecordFormatException ex)
        {
            throw new BbsErrorException(ex.Error);
        }
    }

    /// <summary>
    /// The one way a record is written: a record (key and value, as stored) over <c>max_record_bytes</c> is refused
    /// before the store, as <c>InvalidRequest</c> naming the record and the limit, on either store.
    /// </summary>
    private PutOp CheckedPut(string key, ReadOnlyMemory<byte> value, long lease)
    {
        long size = System.Text.Encoding.UTF8.GetByteCount(key) + (long)value.Length;
        if (size > options.MaxRecordBytes)
        {
            throw new BbsErrorException(BbsErrors.InvalidRequest(
                $"the record {StoreRequestTooLargeException.Describe(key)} would be {size} bytes, more than the store takes ({options.MaxRecordBytes} bytes, max_record_bytes)"));
        }

        return new PutOp(key, value, lease);
    }

    /// <summary>
    /// Reads a record, applies <paramref name="rule"/> and writes (or, when <paramref name="deleteWhen"/> says
    /// so, deletes) the result guarded by the revision read. A lost race re-applies the rule to the record the
    /// failed transaction read back in the same round trip. A no-op returns the stored record as both sides.
    /// </summary>
    private async Task<(T? Before, T? After, bool AuctionNeeded)> UpdateRecordAsync<T>(
        string key,
        Func<T?, LifecycleOutcome<T>> rule,
        CancellationToken cancellationToken,
        Func<LifecycleOutcome<T>, bool>? deleteWhen = null)
        where T : class, IMessage<T>, new()
    {
        var fromCache = TryLatest<T>(key, out var current);
        if (!fromCache)
        {
            current = await ReadAsync<T>(key, cancellationToken).ConfigureAwait(false);
        }

        for (var attempt = 0; attempt < options.MaxCasAttempts; attempt++)
        {
            var outcome = rule(current?.Value);
            if (fromCache && !outcome.IsChanged)
            {
                // Only writes may rest on an unfenced value (the guard checks them); confirm anything else afresh.
                fromCache = false;
                cache.Remove(key);
                current = await ReadAsync<T>(key, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (outcome.Error is { } error)
            {
                throw new BbsErrorException(error);
            }

            if (outcome.IsNoOp)
            {
                return (current?.Value, current?.Value, false);
            }

            var delete = deleteWhen?.Invoke(outcome) ?? false;
            TxnOp write = delete ? new DeleteOp(key) : Put(key, outcome.Record!);
            TxnResult result;
            try
            {
                result = await store.TxnAsync(
                    TxnRequest.If(TxnCompare.ModRevisionIs(key, current?.ModRevision ?? 0)).Then(write).Else(new GetOp(key)),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (StoreUnavailableException ex) when (ex.MayHaveBeenApplied)
            {
                // The transaction reached the store and its answer was lost: read the key to learn whether it applied.
                var (applied, now) = await ResolveAmbiguousAsync<T>(key, write, ex, cancellationToken).ConfigureAwait(false);
                if (applied)
                {
                    Remember(key, now);
                    return (current?.Value, delete ? null : outcome.Record, outcome.AuctionNeeded && !delete);
                }

                // Not applied: decide again on what the store holds now, as after a lost guard.
                fromCache = false;
                current = now;
                Remember(key, current);
                continue;
            }

            if (result.Succeeded)
            {
                Remember(key, delete ? null : new Stored<T>(outcome.Record!, result.Revision));
                return (current?.Value, delete ? null : outcome.Record, outcome.AuctionNeeded && !delete);
            }

            fromCache = false;
            current = FromGetOp<T>(result.Results[0]);
            Remember(key, current);
        }

        throw new BbsErrorException(BbsErrors.ResourceConflict);
    }

    /// <summary>
    /// Whether a single-key write whose answer was lost was applied, from a linearizable read of the key: a put
    /// applied when the key holds exactly the bytes it wrote (sealed values carry a fresh nonce, so no other write
    /// has them), a delete when the key is gone. When the read fails too, the original error stands (its answer says
    /// the write may have been applied).
    /// </summary>
    private async Task<(bool Applied, Stored<T>? Now)> ResolveAmbiguousAsync<T>(string key, TxnOp write, StoreUnavailableException ambiguous, CancellationToken cancellationToken)
        where T : class, IMessage<T>, new()
    {
        GetResult read;
        try
        {
            read = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException)
        {
            throw ambiguous;
        }

        var now = read.Kv is null ? null : new Stored<T>(Decode<T>(read.Kv), read.Kv.ModRevision, read.Kv.Lease);
        bool applied = write switch
        {
            PutOp put => read.Kv is not null && read.Kv.Value.Span.SequenceEqual(put.Value.Span),
            DeleteOp => read.Kv is null,
            _ => false,
        };
        LogAmbiguousResolved(logger, key, applied);
        return (applied, now);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "the store did not answer a write of {Key}; read back, it was applied: {Applied}")]
    private static partial void LogAmbiguousResolved(ILogger logger, string key, bool applied);

    private void Remember<T>(string key, Stored<T>? stored)
        where T : class
    {
        if (stored is null)
        {
            cache.Remove(key);
        }
        else
        {
            cache.Set(key, stored, stored.ModRevision);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "record {Key} does not decode: {Reason}")]
    private static partial void LogUndecodable(ILogger logger, string key, string reason);

    /// <summary>A decoded record, the mod revision it was read at (the guard of the next write) and its lease.</summary>
    private sealed record Stored<T>(T Value, long ModRevision, long Lease = 0);
}
