using System.Collections.Concurrent;

namespace Bbs.Db;

/// <summary>
/// The last value and mod revision this process wrote or read for a key, decoded. The view already holds every
/// key, but it learns of a write only when the watch delivers it; a start that follows its claim by a millisecond
/// would otherwise be decided on the claim's predecessor, lose its guard and pay a second round trip. So the
/// newer of this entry and the view's is used. A stale entry is always safe: the guard fails, and the failed
/// transaction reads the current value back. Only writes are decided on such values; a no-op or a refusal is
/// always confirmed against a fenced read. Bounded: when full, it starts over.
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
