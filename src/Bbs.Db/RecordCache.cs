using System.Collections.Concurrent;

namespace Bbs.Db;

/// <summary>
/// The last value and mod revision this process wrote or read for a key, decoded, until the store view has caught
/// up with it. The view already holds every key, but it learns of a write only when the watch delivers it; a start
/// that follows its claim by a millisecond would otherwise be decided on the claim's predecessor, lose its guard
/// and pay a second round trip. So the newer of this entry and the view's is used. A stale entry is always safe: the
/// guard fails, and the failed transaction reads the current value back. Only writes are decided on such values; a
/// no-op or a refusal is always confirmed against a fenced read.
/// </summary>
/// <remarks>
/// Entries the view has caught up with are dropped (the view then answers for them), so the cache holds only the
/// writes of the last few milliseconds, not a decoded copy of everything this process ever wrote: at 100k records
/// that copy was most of the server's heap. Bounded: past <paramref name="capacity"/> it starts over.
/// </remarks>
internal sealed class RecordCache(int capacity, Func<long> viewRevision)
{
    /// <summary>How many entries may gather before those the view has caught up with are swept out.</summary>
    private const int SweepAt = 1024;

    private readonly ConcurrentDictionary<string, (object Value, long Revision)> entries = new(StringComparer.Ordinal);
    private int sweeping;

    public int Count => entries.Count;

    public bool TryGet<T>(string key, out T value)
        where T : class
    {
        if (entries.TryGetValue(key, out var entry) && entry.Value is T typed)
        {
            value = typed;
            return true;
        }

        value = null!;
        return false;
    }

    public void Set(string key, object value, long revision)
    {
        if (capacity <= 0)
        {
            return;
        }

        if (entries.Count >= Math.Min(SweepAt, capacity))
        {
            Sweep();
        }

        if (entries.Count >= capacity)
        {
            entries.Clear();
        }

        entries[key] = (value, revision);
    }

    public void Remove(string key) => entries.TryRemove(key, out _);

    /// <summary>Drops the entries the view holds too (their revision or a newer one); one sweep at a time.</summary>
    private void Sweep()
    {
        if (Interlocked.Exchange(ref sweeping, 1) != 0)
        {
            return;
        }

        try
        {
            long applied = viewRevision();
            foreach (var (key, entry) in entries)
            {
                if (entry.Revision <= applied)
                {
                    entries.TryRemove(KeyValuePair.Create(key, entry));
                }
            }
        }
        finally
        {
            Volatile.Write(ref sweeping, 0);
        }
    }
}
