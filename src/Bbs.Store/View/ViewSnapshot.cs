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
    internal static IComparer<ViewEntry> KeyOrder => Comparer;

    internal ViewSnapshot(ImmutableList<ViewEntry> items, long revision)
    {
        Items = items;
        Revision = revision;
    }

    /// <summary>The store revision this snapshot is the state at.</summary>
    public long Revision { get; }

    /// <summary>How many keys the snapshot holds.</summary>
    public int Count => Items.Count;

    internal ImmutableList<ViewEntry> Items { get; }

    /// <summary>The key, or null when it does not exist at <see cref="Revision"/>.</summary>
    public KeyValue? Get(string key) => GetEntry(key)?.Kv;

    /// <summary>The key with the view's projection of it, or null when it does not exist at <see cref="Revision"/>.</summary>
    public ViewEntry? GetEntry(string key)
    {
        int index = IndexOf(Items, key);
        return index >= 0 ? Items[index] : null;
    }

    /// <summary>The key as a <see cref="GetResult"/> at the snapshot's revision.</summary>
    public GetResult GetResult(string key) => new(Get(key), Revision);

    /// <summary>Every key starting with <paramref name="prefix"/>, in key order, as a <see cref="RangeResult"/> at the snapshot's revision.</summary>
    public RangeResult Range(string prefix) => new([.. Entries(prefix).Select(e => e.Kv)], Revision);

    /// <summary>Every key starting with <paramref name="prefix"/> with its projection, in key order.</summary>
    public IEnumerable<ViewEntry> Entries(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        int index = IndexOf(Items, prefix);
        if (index < 0)
        {
            index = ~index;
        }

        for (int i = index; i < Items.Count; i++)
        {
            var entry = Items[i];
            if (!entry.Kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield break;
            }

            yield return entry;
        }
    }

    internal static ImmutableList<ViewEntry> Put(ImmutableList<ViewEntry> items, ViewEntry entry, out ViewEntry? before)
    {
        int index = IndexOf(items, entry.Kv.Key);
        before = index >= 0 ? items[index] : null;
        return index >= 0 ? items.SetItem(index, entry) : items.Insert(~index, entry);
    }

    internal static ImmutableList<ViewEntry> Delete(ImmutableList<ViewEntry> items, string key, out ViewEntry? before)
    {
        int index = IndexOf(items, key);
        before = index >= 0 ? items[index] : null;
        return index >= 0 ? items.RemoveAt(index) : items;
    }

    private static int IndexOf(ImmutableList<ViewEntry> items, string key) =>
        items.BinarySearch(new ViewEntry(new KeyValue(key, ReadOnlyMemory<byte>.Empty, 0, 0, 0, 0), null), Comparer);

    private sealed class KeyComparer : IComparer<ViewEntry>
    {
        public int Compare(ViewEntry? x, ViewEntry? y) => string.CompareOrdinal(x!.Kv.Key, y!.Kv.Key);
    }
}

/// <summary>One key of a view, with what the view's projector made of its value once, when it was applied (null without one).</summary>
public sealed record ViewEntry(KeyValue Kv, object? Projection);

/// <summary>
/// One key's change as the view applied it at <paramref name="Revision"/>: the entry before (null when the key was
/// new) and after (null for a delete), projections included, so a listener decodes nothing again.
/// </summary>
public sealed record ViewChange(WatchEventType Type, string Key, long Revision, ViewEntry? Before, ViewEntry? After);
