namespace Bbs.Store.Embedded;

/// <summary>The changes one write revision made, in the order its transaction made them.</summary>
internal sealed record RevisionEvents(long Revision, IReadOnlyList<WatchEvent> Events);

/// <summary>
/// The event history: one entry per write revision, for a contiguous run of revisions, oldest first.
/// A ring buffer, so appending and dropping the oldest are O(1) and lookups by revision are O(1).
/// Not thread-safe: the store guards it with its lock.
/// </summary>
internal sealed class RevisionHistory
{
    private RevisionEvents[] _ring = new RevisionEvents[64];
    private int _head;
    private int _count;

    public int Count => _count;

    /// <summary>Appends the next revision; revisions must be contiguous.</summary>
    public void Append(RevisionEvents entry)
    {
        if (_count > 0 && entry.Revision != At(_count - 1).Revision + 1)
        {
            throw new InvalidOperationException($"revision {entry.Revision} does not follow {At(_count - 1).Revision}");
        }

        if (_count == _ring.Length)
        {
            var grown = new RevisionEvents[_ring.Length * 2];
            for (var i = 0; i < _count; i++)
            {
                grown[i] = At(i);
            }

            _ring = grown;
            _head = 0;
        }

        _ring[(_head + _count) % _ring.Length] = entry;
        _count++;
    }

    /// <summary>Drops every entry older than <paramref name="revision"/>.</summary>
    public void DropBefore(long revision)
    {
        while (_count > 0 && _ring[_head].Revision < revision)
        {
            _ring[_head] = null!;
            _head = (_head + 1) % _ring.Length;
            _count--;
        }
    }

    /// <summary>Copies up to <paramref name="max"/> entries from revision <paramref name="from"/> on into <paramref name="into"/>.</summary>
    public void CopyFrom(long from, int max, List<RevisionEvents> into)
    {
        if (_count == 0)
        {
            return;
        }

        var first = _ring[_head].Revision;
        var start = Math.Max(from - first, 0);
        for (var i = start; i < _count && into.Count < max; i++)
        {
            into.Add(At((int)i));
        }
    }

    private RevisionEvents At(int index) => _ring[(_head + index) % _ring.Length];
}
