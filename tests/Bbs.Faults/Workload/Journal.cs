using System.Collections.Concurrent;

namespace Bbs.Faults.Workload;

/// <summary>
/// What the writers were told: per entity (a desired LRP, one instance slot, one evacuating slot, a task, a cell),
/// the last acknowledged write and the state it implies, as a check on the final state. A write that failed in any
/// way (no answer, an error answer, a replay refused) may or may not have been applied, so it makes the entity
/// uncertain: the writer abandons it and its final state is held only to the invariants. Thread-safe.
/// </summary>
public sealed class Journal
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new();
    private readonly ConcurrentDictionary<string, string> _created = new();
    private int _acknowledged;

    /// <summary>Acknowledged writes, all entities together.</summary>
    public int Acknowledged => Volatile.Read(ref _acknowledged);

    /// <summary>Records an acknowledged write; <paramref name="check"/> returns null when the final state reflects it, else what is wrong.</summary>
    public void Acked(string entity, string op, int window, Func<FinalState, string?> check)
    {
        _entries[entity] = new Entry(entity, op, window, check);
        if ((op == "DesireLRP" && entity.StartsWith("desired/", StringComparison.Ordinal)) || op == "DesireTask")
        {
            _created.TryAdd(entity, op);
        }

        Interlocked.Increment(ref _acknowledged);
    }

    /// <summary>A write to <paramref name="entity"/> whose outcome is unknown: nothing is expected of it any more.</summary>
    public void Uncertain(string entity, string op, int window) => _entries[entity] = new Entry(entity, op, window, Check: null);

    /// <summary>Whether the entity's last write was acknowledged (its state is known).</summary>
    public bool IsCertain(string entity) => _entries.TryGetValue(entity, out var entry) && entry.Check is not null;

    public IReadOnlyCollection<Entry> Entries => [.. _entries.Values];

    /// <summary>Entities whose creation (DesireLRP, DesireTask) was acknowledged, with that op: each must have an event on every reader.</summary>
    public IReadOnlyDictionary<string, string> Created => _created;

    /// <summary>An entity's last write; <see cref="Check"/> null when it was not acknowledged.</summary>
    public sealed record Entry(string Entity, string Op, int Window, Func<FinalState, string?>? Check);
}
