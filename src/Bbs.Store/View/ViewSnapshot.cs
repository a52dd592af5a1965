using System.Collections.Immutable;

namespace Bbs.Store.View;

/// <summary>
/// Every key of a <see cref="KeyValueView"/> at one revision, in key order (ordinal). Immutable: a reader keeps a
/// whole, consistent state however many writes the view applies meanwhile. Gets and the start of a prefix range
/// are O(log n); a range then costs O(log n) per key.
/// </summary>
public sealed class ViewSnapshot
{
    private static readonly KeyComparer Comparer = new();

    /// <summary>The snapshot's key order: ordinal.</summary>
    internal static IComparer<KeyValue> KeyOrder => Comparer;

    internal ViewSnapshot(ImmutableList<KeyValue> items, long revision)
    {
        Items = items;
        Revision = revision;
    }

    /// <summary>The store revision this snapshot is the state at.</summary>
    public long Revision { get; }

    /// <summary>How many keys the snapshot holds.</summary>
    public int Count => Items.Count;

    internal ImmutableList<KeyValue> Items { get; }

    /// <summary>The key, or null when it does not exist at <see cref="Revision"/>.</summary>
    public KeyValue? Get(string key)
    {
        int index = IndexOf(Items, key);
        return index >= 0 ? Items[index] : null;
    }

    /// <summary>The key as a <see cref="GetResult"/> at the snapshot's revision.</summary>
    public GetResult GetResult(string key) => new(Get(key), Revision);

    /// <summary>Every key starting with <paramref name="prefix"/>, in key order, as a <see cref="RangeResult"/> at the snapshot's revision.</summary>
    public RangeResult Range(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        int index = IndexOf(Items, prefix);
        if (index < 0)
        {
            index = ~index;
        }

        var kvs = new List<KeyValue>();
        for (int i = index; i < Items.Count; i++)
        {
            var kv = Items[i];
            if (!kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            {
                break;
            }

            kvs.Add(kv);
        }

        return new RangeResult(kvs, Revision);
    }

    internal static ImmutableList<KeyValue> Put(ImmutableList<KeyValue> items, KeyValue kv)
    {
        int index = IndexOf(items, kv.Key);
        return index >= 0 ? items.SetItem(index, kv) : items.Insert(~index, kv);
    }

    internal static ImmutableList<KeyValue> Delete(ImmutableList<KeyValue> items, string key)
    {
        int index = IndexOf(items, key);
        return index >= 0 ? items.RemoveAt(index) : items;
    }

    private static int IndexOf(ImmutableList<KeyValue> items, string key) =>
        items.BinarySearch(new KeyValue(key, ReadOnlyMemory<byte>.Empty, 0, 0, 0, 0), Comparer);

    private sealed class KeyComparer : IComparer<KeyValue>
    {
        public int Compare(KeyValue? x, KeyValue? y) => string.CompareOrdinal(x!.Key, y!.Key);
    }
}
