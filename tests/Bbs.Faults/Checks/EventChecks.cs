using Bbs.Client.Events;
using Bbs.Faults.Workload;

namespace Bbs.Faults;

/// <summary>
/// The event streams' checks: each reader's ids strictly increase across all its reconnections and resumptions (so
/// no event twice, none out of order); each reader has every event any reader of its kind saw from its own first
/// event on (so none lost); every acknowledged creation reached every reader; no reader needed a resync.
/// </summary>
public static class EventChecks
{
    public static IEnumerable<string> Problems(IReadOnlyList<EventReader> readers, Journal journal)
    {
        ArgumentNullException.ThrowIfNull(readers);
        ArgumentNullException.ThrowIfNull(journal);
        foreach (var group in readers.GroupBy(r => r.ReadsTasks))
        {
            var all = group.Select(r => (Reader: r, Events: r.Events)).ToList();
            var union = all.SelectMany(r => r.Events.Select(e => e.Id)).ToHashSet();
            foreach (var (reader, events) in all)
            {
                for (int i = 1; i < events.Count; i++)
                {
                    if (events[i].Id <= events[i - 1].Id)
                    {
                        yield return $"{reader.Name}: event {events[i].Id} ({events[i].Name}) came after {events[i - 1].Id}: {(events[i].Id == events[i - 1].Id ? "a duplicate" : "out of order")}";
                    }
                }

                if (events.Count == 0)
                {
                    yield return $"{reader.Name}: no events";
                    continue;
                }

                var mine = events.Select(e => e.Id).ToHashSet();
                var missing = union.Where(id => id >= events[0].Id && !mine.Contains(id)).Order().ToList();
                if (missing.Count > 0)
                {
                    yield return $"{reader.Name}: missed {missing.Count} events other readers saw (first {missing[0]})";
                }

                if (reader.Resyncs > 0)
                {
                    yield return $"{reader.Name}: {reader.Resyncs} resync_required (the server could not replay from the id given)";
                }

                string created = reader.ReadsTasks ? BbsEventNames.TaskCreated : BbsEventNames.DesiredLrpCreated;
                string op = reader.ReadsTasks ? "DesireTask" : "DesireLRP";
                var seenCreated = events.Where(e => e.Name == created).Select(e => e.Subject).ToHashSet();
                var unseen = journal.Created.Where(c => c.Value == op)
                    .Select(c => c.Key[(c.Key.IndexOf('/', StringComparison.Ordinal) + 1)..])
                    .Where(guid => !seenCreated.Contains(guid))
                    .ToList();
                if (unseen.Count > 0)
                {
                    yield return $"{reader.Name}: no {created} for {unseen.Count} acknowledged creations (first {unseen[0]})";
                }
            }
        }
    }
}
