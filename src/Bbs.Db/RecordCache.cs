using System.Collections.Concurrent;

namespace Bbs.Db;

/// <summary>
/// The last value and mod revision this process wrote or read for a key, so the next guarded write of that
/// key (a start after a claim, a heartbeat) skips the read: one round trip instead of two. A stale entry is
/// always safe: the guard fails, and the failed transaction reads the current value back. Only writes are
/// decided on cached values; a no-op or a refusal is always confirmed against a fresh read.
/// Bounded: when full, it starts over.
/// </summary>
internal sealed class RecordCache(int capacity)
{
    private readonly ConcurrentDictionary<string, object> entries = new(StringComparer.Ordinal);

    public bool TryGet<T>(string key, out T value)
        where T : class
    {
        if (entries.TryGetValue(key, out var entry) && entry is T typed)
        {
            value = typed;
            return true;
        }

        value = null!;
        return false;
    }

    public void Set(string key, object value)
    {
        if (capacity <= 0)
        {
            return;
        }

        if (entries.Count >= capacity)
        {
            entries.Clear();
        }

        entries[key] = value;
    }

    public void Remove(string key) => entries.TryRemove(key, out _);
}
