using Bbs.Db;
using Bbs.Db.Format;
using Bbs.Models;
using Bbs.Models.Rules;
using Bbs.Store;
using Bbs.Store.View;
using Google.Protobuf;
using BbsTask = Bbs.Models.Task;

namespace Bbs.Server.Events;

/// <summary>
/// Turns the store changes of one revision into BBS events (bbs-protocol.md §6, etcd era, plus NEW's
/// instance and crash events). Deterministic: the same changes give the same events in the same order, so
/// a replay from history gives the same <see cref="EventPosition"/>s as the live stream did.
/// </summary>
public sealed partial class EventMapper(RecordSerializer serializer, ILogger<EventMapper> logger)
{
    /// <summary>
    /// Reads the run info of a process guid as it was at <paramref name="revision"/>, for a scheduling-info
    /// change that did not carry one (so a replay from history gives the same payload as the live stream did).
    /// </summary>
    public delegate Task<DesiredLRPRunInfo?> RunInfoReader(string processGuid, long revision, CancellationToken cancellationToken);

    /// <summary>The changes of one revision as a watch reports them (history replays): each value is decrypted and decoded here.</summary>
    public static IReadOnlyList<ViewChange> FromWatch(IEnumerable<WatchEvent> changes) =>
        [.. changes.Select(c => new ViewChange(
            c.Type,
            c.Kv.Key,
            c.Kv.ModRevision,
            c.PrevKv is null ? null : new ViewEntry(c.PrevKv, null),
            c.Type == WatchEventType.Put ? new ViewEntry(c.Kv, null) : null))];

    /// <summary>
    /// The events of one revision's changes. Values the store view already projected (<see cref="ActualRecord"/>,
    /// <see cref="TaskRecord"/>, <see cref="SchedulingRecord"/>) are parsed from their plain bytes, not decrypted again.
    /// </summary>
    public async Task<IReadOnlyList<BbsEvent>> MapAsync(long revision, IReadOnlyList<ViewChange> changes, RunInfoReader readRunInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(readRunInfo);
        var output = new Output(revision);
        var schedules = new List<ViewChange>();
        var runs = new Dictionary<string, ViewChange>(StringComparer.Ordinal);
        var slots = new Dictionary<(string Guid, int Index), SlotChange>();
        var slotOrder = new List<(string Guid, int Index)>();

        foreach (var change in changes)
        {
            if (IsReseal(change))
            {
                continue;
            }

            var key = change.Key;
            if (key.StartsWith(Keys.SchedulingInfoPrefix, StringComparison.Ordinal))
            {
                schedules.Add(change);
            }
            else if (key.StartsWith(Keys.RunInfoPrefix, StringComparison.Ordinal))
            {
                runs[key[Keys.RunInfoPrefix.Length..]] = change;
            }
            else if (Keys.TryParseActual(key, out var guid, out var index, out var evacuating))
            {
                if (!slots.TryGetValue((guid, index), out var slot))
                {
                    slot = new SlotChange();
                    slots[(guid, index)] = slot;
                    slotOrder.Add((guid, index));
                }

                var (before, after) = (Decode<ActualLRP>(change.Before), Decode<ActualLRP>(change.After));
                if (evacuating)
                {
                    MarkEvacuating(before);
                    MarkEvacuating(after);
                    slot.Evacuating = (before, after);
                }
                else
                {
                    slot.Instance = (before, after);
                }
            }
            else if (key.StartsWith(Keys.TaskPrefix, StringComparison.Ordinal))
            {
                MapTask(change, output);
            }
        }

        foreach (var schedule in schedules)
        {
            await MapDesiredAsync(revision, schedule, runs, readRunInfo, output, cancellationToken).ConfigureAwait(false);
        }

        foreach (var slot in slotOrder)
        {
            MapActual(slots[slot], output);
        }

        return output.Events;
    }

    private async Task MapDesiredAsync(long revision, ViewChange schedule, Dictionary<string, ViewChange> runs, RunInfoReader readRunInfo, Output output, CancellationToken cancellationToken)
    {
        var guid = schedule.Key[Keys.SchedulingInfoPrefix.Length..];
        runs.TryGetValue(guid, out var run);
        var before = Decode<DesiredLRPSchedulingInfo>(schedule.Before);
        if (schedule.Type == WatchEventType.Delete)
        {
            if (before is not null)
            {
                var runBefore = Decode<DesiredLRPRunInfo>(run?.Before) ?? new DesiredLRPRunInfo();
                output.Add("desired_lrp_removed", new DesiredLRPRemovedEvent { DesiredLrp = DesiredLrpParts.Join(before, runBefore) }, EventStreams.Lrps | EventStreams.LrpInstances, null);
            }

            return;
        }

        var after = Decode<DesiredLRPSchedulingInfo>(schedule.After);
        if (after is null)
        {
            return;
        }

        var runAfter = Decode<DesiredLRPRunInfo>(run?.After)
            ?? await readRunInfo(guid, revision, cancellationToken).ConfigureAwait(false)
            ?? new DesiredLRPRunInfo();
        if (before is null)
        {
            output.Add("desired_lrp_created", new DesiredLRPCreatedEvent { DesiredLrp = DesiredLrpParts.Join(after, runAfter) }, EventStreams.Lrps | EventStreams.LrpInstances, null);
        }
        else
        {
            var runBefore = Decode<DesiredLRPRunInfo>(run?.Before) ?? runAfter;
            output.Add(
                "desired_lrp_changed",
                new DesiredLRPChangedEvent { Before = DesiredLrpParts.Join(before, runBefore), After = DesiredLrpParts.Join(after, runAfter) },
                EventStreams.Lrps | EventStreams.LrpInstances,
                null);
        }
    }

    private static void MapActual(SlotChange slot, Output output)
    {
        var (instanceBefore, instanceAfter) = slot.Instance;
        var (evacuatingBefore, evacuatingAfter) = slot.Evacuating;

        // The group stream (E16): one event per slot that changed, the slot taken from the key.
        if (IsCrash(instanceBefore, instanceAfter))
        {
            output.Add("actual_lrp_crashed", Crashed(instanceBefore!, instanceAfter!), EventStreams.Lrps | EventStreams.LrpInstances, Cells(instanceBefore));
        }

        GroupEvent(output, instanceBefore, instanceAfter, evacuating: false);
        GroupEvent(output, evacuatingBefore, evacuatingAfter, evacuating: true);

        // The instance stream (NEW): LRPs identified by key + instance key. The evacuation dance (this cell's
        // instance becomes the evacuating copy while the slot is unclaimed) reads as the same instance changing
        // to EVACUATING, plus a new UNCLAIMED one.
        if (evacuatingBefore is null && evacuatingAfter is not null && instanceBefore is not null && instanceAfter is not null
            && !ActualLrpTransitions.IsEmpty(instanceBefore.ActualLrpInstanceKey)
            && ActualLrpTransitions.InstanceKeysEqual(instanceBefore.ActualLrpInstanceKey, evacuatingAfter.ActualLrpInstanceKey)
            && !ActualLrpTransitions.InstanceKeysEqual(instanceAfter.ActualLrpInstanceKey, instanceBefore.ActualLrpInstanceKey))
        {
            output.Add("actual_lrp_instance_changed", InstanceChanged(instanceBefore, evacuatingAfter, evacuatingAfter.ActualLrpInstanceKey), EventStreams.LrpInstances, Cells(evacuatingAfter));
            output.Add("actual_lrp_instance_created", new ActualLRPInstanceCreatedEvent { ActualLrp = instanceAfter }, EventStreams.LrpInstances, Cells(instanceAfter));
            return;
        }

        InstanceEvents(output, instanceBefore, instanceAfter);
        InstanceEvents(output, evacuatingBefore, evacuatingAfter);
    }

    private static void GroupEvent(Output output, ActualLRP? before, ActualLRP? after, bool evacuating)
    {
        ActualLRPGroup Group(ActualLRP lrp) => evacuating ? new ActualLRPGroup { Evacuating = lrp } : new ActualLRPGroup { Instance = lrp };

        if (before is null && after is not null)
        {
            output.Add("actual_lrp_created", new ActualLRPCreatedEvent { ActualLrpGroup = Group(after) }, EventStreams.Lrps, Cells(after));
        }
        else if (before is not null && after is not null)
        {
            output.Add("actual_lrp_changed", new ActualLRPChangedEvent { Before = Group(before), After = Group(after) }, EventStreams.Lrps, Cells(before, after));
        }
        else if (before is not null)
        {
            output.Add("actual_lrp_removed", new ActualLRPRemovedEvent { ActualLrpGroup = Group(before) }, EventStreams.Lrps, Cells(before));
        }
    }

    private static void InstanceEvents(Output output, ActualLRP? before, ActualLRP? after)
    {
        if (before is null && after is not null)
        {
            output.Add("actual_lrp_instance_created", new ActualLRPInstanceCreatedEvent { ActualLrp = after }, EventStreams.LrpInstances, Cells(after));
        }
        else if (before is not null && after is null)
        {
            output.Add("actual_lrp_instance_removed", new ActualLRPInstanceRemovedEvent { ActualLrp = before }, EventStreams.LrpInstances, Cells(before));
        }
        else if (before is not null && after is not null)
        {
            var heldBefore = !ActualLrpTransitions.IsEmpty(before.ActualLrpInstanceKey);
            if (heldBefore && !ActualLrpTransitions.InstanceKeysEqual(before.ActualLrpInstanceKey, after.ActualLrpInstanceKey))
            {
                // The instance that held the slot is gone (crash restart, unclaim): a new one takes its place.
                output.Add("actual_lrp_instance_created", new ActualLRPInstanceCreatedEvent { ActualLrp = after }, EventStreams.LrpInstances, Cells(after));
                output.Add("actual_lrp_instance_removed", new ActualLRPInstanceRemovedEvent { ActualLrp = before }, EventStreams.LrpInstances, Cells(before));
            }
            else
            {
                var instanceKey = ActualLrpTransitions.IsEmpty(after.ActualLrpInstanceKey) ? before.ActualLrpInstanceKey : after.ActualLrpInstanceKey;
                output.Add("actual_lrp_instance_changed", InstanceChanged(before, after, instanceKey), EventStreams.LrpInstances, Cells(before, after));
            }
        }
    }

    /// <summary>
    /// A crash: a held instance (CLAIMED/RUNNING) goes to CRASHED, or to UNCLAIMED with a new crash count or
    /// reason (an immediate restart). An unclaim (evacuation, convergence) keeps both, so it is not one.
    /// </summary>
    private static bool IsCrash(ActualLRP? before, ActualLRP? after) =>
        before is not null && after is not null
        && before.State is ActualLrpStates.Claimed or ActualLrpStates.Running
        && (after.State == ActualLrpStates.Crashed
            || (after.State == ActualLrpStates.Unclaimed && (after.CrashCount != before.CrashCount || after.CrashReason != before.CrashReason)));

    private static ActualLRPCrashedEvent Crashed(ActualLRP before, ActualLRP after) => new()
    {
        ActualLrpKey = after.ActualLrpKey,
        ActualLrpInstanceKey = before.ActualLrpInstanceKey,
        CrashCount = after.CrashCount,
        CrashReason = after.CrashReason,
        Since = after.Since,
    };

    private static ActualLRPInstanceChangedEvent InstanceChanged(ActualLRP before, ActualLRP after, ActualLRPInstanceKey instanceKey) => new()
    {
        ActualLrpKey = after.ActualLrpKey,
        ActualLrpInstanceKey = instanceKey,
        Before = Info(before),
        After = Info(after),
    };

    private static ActualLRPInfo Info(ActualLRP lrp) => new()
    {
        ActualLrpNetInfo = lrp.ActualLrpNetInfo,
        CrashCount = lrp.CrashCount,
        CrashReason = lrp.CrashReason,
        State = lrp.State,
        PlacementError = lrp.PlacementError,
        Since = lrp.Since,
        ModificationTag = lrp.ModificationTag,
        Presence = lrp.Presence,
        Routable = lrp.HasRoutable && lrp.Routable,
        AvailabilityZone = lrp.AvailabilityZone,
    };

    private static void MarkEvacuating(ActualLRP? lrp)
    {
        if (lrp is not null)
        {
            lrp.Presence = ActualLRP.Types.Presence.Evacuating;
        }
    }

    private static string[] Cells(params ActualLRP?[] lrps) =>
        [.. lrps.Select(l => l?.ActualLrpInstanceKey?.CellId).OfType<string>().Where(c => c.Length > 0).Distinct(StringComparer.Ordinal)];

    private void MapTask(ViewChange change, Output output)
    {
        var before = Decode<BbsTask>(change.Before);
        if (change.Type == WatchEventType.Delete)
        {
            if (before is not null)
            {
                output.Add("task_removed", new TaskRemovedEvent { Task = before }, EventStreams.Tasks, null);
            }

            return;
        }

        if (Decode<BbsTask>(change.After) is not { } after)
        {
            return;
        }

        if (before is null)
        {
            output.Add("task_created", new TaskCreatedEvent { Task = after }, EventStreams.Tasks, null);
        }
        else
        {
            output.Add("task_changed", new TaskChangedEvent { Before = before, After = after }, EventStreams.Tasks, null);
        }
    }

    /// <summary>
    /// A record written again with the same model under another key or encoding (key rotation): no BBS event, as
    /// nothing a client sees changed. Run infos have no event of their own, so only the projected records matter.
    /// </summary>
    private static bool IsReseal(ViewChange change)
    {
        if (change.Type != WatchEventType.Put || change.Before is not { } before || change.After is not { } after)
        {
            return false;
        }

        var (was, now) = (PlainBytes(before.Projection), PlainBytes(after.Projection));
        return was is { } wasBytes && now is { } nowBytes && wasBytes.Span.SequenceEqual(nowBytes.Span)
            && !before.Kv.Value.Span.SequenceEqual(after.Kv.Value.Span)
            && (!before.Kv.Value.Span[..Math.Min(2, before.Kv.Value.Length)].SequenceEqual(after.Kv.Value.Span[..Math.Min(2, after.Kv.Value.Length)])
                || RecordSerializer.SealedLabel(before.Kv.Value.Span) != RecordSerializer.SealedLabel(after.Kv.Value.Span));
    }

    private static ReadOnlyMemory<byte>? PlainBytes(object? projection) => projection switch
    {
        ActualRecord actual => actual.Bytes,
        TaskRecord task => task.Bytes,
        SchedulingRecord schedule => schedule.Bytes,
        RunInfoRecord run => run.Bytes,
        _ => null,
    };

    private T? Decode<T>(ViewEntry? entry)
        where T : class, IMessage<T>, new()
    {
        switch (entry?.Projection)
        {
            case null:
                break;
            case ActualRecord actual when typeof(T) == typeof(ActualLRP):
                return (T)(object)actual.Parse();
            case TaskRecord task when typeof(T) == typeof(BbsTask):
                return (T)(object)task.Parse();
            case SchedulingRecord schedule when typeof(T) == typeof(DesiredLRPSchedulingInfo):
                return (T)(object)schedule.Parse();
            case RunInfoRecord run when typeof(T) == typeof(DesiredLRPRunInfo):
                return (T)(object)run.Parse();
        }

        if (entry is null || entry.Kv.Value.IsEmpty)
        {
            return null;
        }

        try
        {
            return serializer.Deserialize<T>(entry.Kv.Value.Span);
        }
        catch (Exception ex) when (ex is RecordFormatException or InvalidProtocolBufferException)
        {
            LogUndecodable(logger, entry.Kv.Key, ex.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "no event for {Key}: the record does not decode ({Reason})")]
    private static partial void LogUndecodable(ILogger logger, string key, string reason);

    private sealed class SlotChange
    {
        public (ActualLRP? Before, ActualLRP? After) Instance { get; set; }

        public (ActualLRP? Before, ActualLRP? After) Evacuating { get; set; }
    }

    private sealed class Output(long revision)
    {
        public List<BbsEvent> Events { get; } = [];

        public void Add(string name, IMessage message, EventStreams streams, IReadOnlyList<string>? cells) =>
            Events.Add(new BbsEvent(new EventPosition(revision, Events.Count), name, message, streams, cells));
    }
}
