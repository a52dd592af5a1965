namespace Bbs.Store.Embedded;

/// <summary>
/// etcd orders keys by their bytes. For UTF-8 that is Unicode code point order, which differs from .NET's
/// ordinal (UTF-16 code unit) order only where a surrogate pair meets a character in U+E000..U+FFFF. This
/// comparer remaps code units so that UTF-16 strings sort in code point order, and stays a total order for
/// strings with unpaired surrogates.
/// </summary>
internal sealed class KeyOrder : IComparer<string>
{
    public static readonly KeyOrder Comparer = new();

    private const int MaxUnit = 0xFFFF;

    private KeyOrder()
    {
    }

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        var common = x.AsSpan().CommonPrefixLength(y);
        if (common == x.Length || common == y.Length)
        {
            return x.Length - y.Length;
        }

        return Rank(x[common]) - Rank(y[common]);
    }

    /// <summary>
    /// The keys of <paramref name="keys"/> that start with <paramref name="prefix"/>, in order. Seeks to the
    /// prefix, so the cost is O(log n + k), not a scan of the whole set.
    /// </summary>
    public static IEnumerable<string> WithPrefix(SortedSet<string> keys, string prefix)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        if (prefix.Length == 0)
        {
            return keys;
        }

        // SortedSet views are bounded on both sides (inclusive); the exclusive end of the prefix range
        // can itself be a key, so the view is filtered once more.
        var end = PrefixEnd(prefix);
        if (end is null)
        {
            var max = keys.Max!;
            return Comparer.Compare(max, prefix) < 0 ? [] : keys.GetViewBetween(prefix, max);
        }

        return Filter(keys.GetViewBetween(prefix, end), prefix);
    }

    /// <summary>
    /// The smallest string that sorts after every string starting with <paramref name="prefix"/> (etcd's
    /// prefix range end), or null when there is none (the prefix is all maximal code units).
    /// </summary>
    public static string? PrefixEnd(string prefix)
    {
        for (var i = prefix.Length - 1; i >= 0; i--)
        {
            var rank = Rank(prefix[i]);
            if (rank < MaxUnit)
            {
                return string.Concat(prefix.AsSpan(0, i), [Unrank(rank + 1)]);
            }
        }

        return null;
    }

    private static IEnumerable<string> Filter(SortedSet<string> view, string prefix)
    {
        foreach (var key in view)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return key;
            }
        }
    }

    // Surrogates (D800..DFFF) move above the rest of the BMP; E000..FFFF move down to close the gap.
    private static int Rank(char unit) => unit switch
    {
        < '\uD800' => unit,
        < '\uE000' => unit + 0x2000,
        _ => unit - 0x800,
    };

    private static char Unrank(int rank) => (char)(rank switch
    {
        < 0xD800 => rank,
        < 0xF800 => rank + 0x800,
        _ => rank - 0x2000,
    });
}
