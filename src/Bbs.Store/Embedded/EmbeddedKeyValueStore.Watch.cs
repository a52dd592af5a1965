using System.Runtime.CompilerServices;

namespace Bbs.Store.Embedded;

public sealed partial class EmbeddedKeyValueStore
{
    // Revisions a watcher copies out of the history per visit to the lock.
    private const int WatchPullSize = 256;

    /// <inheritdoc/>
    /// <remarks>
    /// Each watcher reads the shared history at its own pace and waits for a signal only when caught up; it
    /// holds no buffer of its own. It sends one batch per revision that touched the prefix, and no progress
    /// batches. A watcher whose next revision was compacted away (explicitly, or because it fell more than
    /// <see cref="EmbeddedKeyValueStoreOptions.HistoryLimit"/> revisions behind) throws
    /// <see cref="StoreCompactedException"/>. Disposing the store ends the sequence normally.
    /// </remarks>
    public IAsyncEnumerable<WatchBatch> WatchAsync(string prefix, long startRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(startRevision);
        return WatchCoreAsync(prefix, startRevision, cancellationToken);
    }

    private async IAsyncEnumerable<WatchBatch> WatchCoreAsync(string prefix, long startRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pulled = new List<RevisionEvents>(WatchPullSize);
        var next = startRevision;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Task changed;
            _lock.EnterReadLock();
            try
            {
                if (_disposed)
                {
                    yield break;
                }

                if (next == 0)
                {
                    next = _revision + 1;
                }

                if (next < _compactRevision)
                {
                    throw new StoreCompactedException(_compactRevision);
                }

                _history.CopyFrom(next, WatchPullSize, pulled);
                changed = _changed.Task;
            }
            finally
            {
                _lock.ExitReadLock();
            }

            if (pulled.Count == 0)
            {
                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            foreach (var entry in pulled)
            {
                var events = Matching(entry.Events, prefix);
                next = entry.Revision + 1;
                if (events.Count > 0)
                {
                    yield return new WatchBatch(entry.Revision, events);
                }
            }

            pulled.Clear();
        }
    }

    /// <summary>The events under the prefix; the shared (read-only) list itself when all of them are.</summary>
    private static IReadOnlyList<WatchEvent> Matching(IReadOnlyList<WatchEvent> events, string prefix)
    {
        var count = 0;
        foreach (var change in events)
        {
            if (change.Kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            {
                count++;
            }
        }

        if (count == events.Count)
        {
            return events;
        }

        var matching = new List<WatchEvent>(count);
        foreach (var change in events)
        {
            if (change.Kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            {
                matching.Add(change);
            }
        }

        return matching;
    }
}
