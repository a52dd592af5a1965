using Bbs.Db.Format;
using Bbs.Models;
using Bbs.Store;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace Bbs.Db;

/// <summary>
/// What the store view keeps for an actual-LRP record, made once when the view applies it: the fields the list
/// routes filter on and convergence decides on (so a pass parses only the records it changes), and the record's
/// plain protobuf bytes with <c>presence</c> set from its slot, which a protobuf list response carries as they are.
/// </summary>
public sealed record ActualRecord(string ProcessGuid, int Index, bool Evacuating, string Domain, string CellId, string State, long Since, int CrashCount, ReadOnlyMemory<byte> Bytes)
{
    /// <summary>The decoded record, parsed from <see cref="Bytes"/> (plain protobuf, no envelope).</summary>
    public ActualLRP Parse() => ActualLRP.Parser.ParseFrom(Bytes.Span);
}

/// <summary>What the store view keeps for a task record: the fields the list filters on and its plain protobuf bytes.</summary>
public sealed record TaskRecord(string Domain, string CellId, Bbs.Models.Task.Types.State State, ReadOnlyMemory<byte> Bytes)
{
    /// <summary>The decoded task, parsed from <see cref="Bytes"/>.</summary>
    public Bbs.Models.Task Parse() => Bbs.Models.Task.Parser.ParseFrom(Bytes.Span);
}

/// <summary>What the store view keeps for a scheduling info: its key's fields, its instance count and its plain protobuf bytes.</summary>
public sealed record SchedulingRecord(string ProcessGuid, string Domain, int Instances, ReadOnlyMemory<byte> Bytes)
{
    /// <summary>The decoded scheduling info, parsed from <see cref="Bytes"/>.</summary>
    public DesiredLRPSchedulingInfo Parse() => DesiredLRPSchedulingInfo.Parser.ParseFrom(Bytes.Span);
}

/// <summary>
/// What the store view keeps for a run info: its plain protobuf bytes, checked to decode (and validate) when the view
/// applied it. For a value stored unencoded (the default) they are a slice of the stored value, not a copy.
/// </summary>
public sealed record RunInfoRecord(ReadOnlyMemory<byte> Bytes)
{
    /// <summary>The decoded run info, parsed from <see cref="Bytes"/>.</summary>
    public DesiredLRPRunInfo Parse() => DesiredLRPRunInfo.Parser.ParseFrom(Bytes.Span);
}

/// <summary>
/// What the store view keeps for a record it cannot read: a value sealed with a key that is not configured, or one
/// that does not decode. Reads and lists that meet it answer <see cref="Error"/> (naming the key and the label), never
/// "not found"; convergence leaves it alone when <see cref="IsKeyFailure"/> (configuring the key makes it readable).
/// </summary>
public sealed record UnreadableRecord(string Key, RecordFormatFailure Failure, string? KeyLabel, Error Error)
{
    /// <summary>Sealed with a key this process cannot use; the record itself is intact.</summary>
    public bool IsKeyFailure => Failure is RecordFormatFailure.UnknownKeyLabel or RecordFormatFailure.DecryptionFailed;

    public static UnreadableRecord Of(string key, RecordFormatException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new UnreadableRecord(key, exception.Failure, exception.KeyLabel, exception.ErrorFor(key));
    }

    /// <summary>A record whose label names no configured key, found without decrypting it.</summary>
    public static UnreadableRecord UnknownKey(string key, string label) =>
        Of(key, new RecordFormatException(RecordFormatFailure.UnknownKeyLabel, $"Key with label \"{label}\" was not found") { KeyLabel = label });
}

/// <summary>The store view's projector for BBS records: decrypts and decodes each record once, as it is applied.</summary>
public static partial class RecordProjector
{
    /// <summary>
    /// A projector for <see cref="Bbs.Store.View.KeyValueView"/>: <see cref="ActualRecord"/> for actual-LRP keys,
    /// <see cref="TaskRecord"/> for tasks, <see cref="SchedulingRecord"/> for scheduling infos, <see cref="RunInfoRecord"/>
    /// for run infos, nothing for others. A record that does not decode is logged and projected to an
    /// <see cref="UnreadableRecord"/>, as is a cell presence (not decoded here) sealed with a key that is not configured:
    /// reads that meet one fail with its error instead of skipping it.
    /// </summary>
    public static Func<KeyValue, object?> Create(RecordSerializer serializer, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(logger);
        var shared = new SharedStrings(MaxSharedStrings);
        var guids = new RecentStrings(RecentGuids);
        return kv =>
        {
            if (kv.Key.StartsWith(Keys.TaskPrefix, StringComparison.Ordinal))
            {
                return Project<Bbs.Models.Task>(serializer, logger, kv, task => new TaskRecord(shared.Get(task.Domain), shared.Get(task.CellId), task.State, PlainBytes(kv, task)));
            }

            if (kv.Key.StartsWith(Keys.SchedulingInfoPrefix, StringComparison.Ordinal))
            {
                return Project<DesiredLRPSchedulingInfo>(serializer, logger, kv, info =>
                    new SchedulingRecord(info.DesiredLrpKey?.ProcessGuid ?? string.Empty, shared.Get(info.DesiredLrpKey?.Domain), info.Instances, PlainBytes(kv, info)));
            }

            if (kv.Key.StartsWith(Keys.RunInfoPrefix, StringComparison.Ordinal))
            {
                return Project<DesiredLRPRunInfo>(serializer, logger, kv, run =>
                    new RunInfoRecord(RecordSerializer.TryProtoPayload(kv.Value, out var payload) ? payload : run.ToByteArray()));
            }

            if (!Keys.TryParseActual(kv.Key, out var guid, out var index, out var evacuating))
            {
                return kv.Key.StartsWith(Keys.CellPrefix, StringComparison.Ordinal)
                    && serializer.IsSealedWithUnknownKey(kv.Value.Span)
                    ? UnreadableRecord.UnknownKey(kv.Key, RecordSerializer.SealedLabel(kv.Value.Span)!)
                    : null;
            }

            return Project<ActualLRP>(serializer, logger, kv, lrp =>
            {
                lrp.Presence = evacuating ? ActualLRP.Types.Presence.Evacuating : ActualLRP.Types.Presence.Ordinary;
                return new ActualRecord(guids.Get(guid), index, evacuating, shared.Get(lrp.ActualLrpKey?.Domain), shared.Get(lrp.ActualLrpInstanceKey?.CellId), shared.Get(lrp.State), lrp.Since, lrp.CrashCount, PlainBytes(kv, lrp));
            });
        };
    }

    /// <summary>
    /// The record's plain protobuf bytes: a slice of the stored value when it holds exactly the bytes encoding the model
    /// gives (an unencoded PROTO record, as this server writes by default), so the view keeps one copy; else a copy.
    /// </summary>
    private static ReadOnlyMemory<byte> PlainBytes<T>(KeyValue kv, T model)
        where T : IMessage<T>
    {
        int size = model.CalculateSize();
        if (RecordSerializer.TryProtoPayload(kv.Value, out var payload) && payload.Length == size)
        {
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(size);
            try
            {
                model.WriteTo(buffer.AsSpan(0, size));
                if (buffer.AsSpan(0, size).SequenceEqual(payload.Span))
                {
                    return payload;
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        return model.ToByteArray();
    }

    /// <summary>Slots of the process-guid cache: instances of one LRP share one guid string.</summary>
    private const int RecentGuids = 4096;

    /// <summary>
    /// A small direct-mapped cache of recent strings: an equal string in its slot is returned instead of the new one,
    /// else the new one takes the slot. 100k instances of 100 LRPs hold 100 process-guid strings, not 100k; a guid that
    /// is no longer used is simply replaced, so the cache neither grows nor keeps dead guids. Races only lose sharing.
    /// </summary>
    private sealed class RecentStrings(int slots)
    {
        private readonly string?[] strings = new string?[slots];

        public string Get(string value)
        {
            int slot = (int)((uint)string.GetHashCode(value.AsSpan()) % (uint)strings.Length);
            var recent = Volatile.Read(ref strings[slot]);
            if (recent is not null && string.Equals(recent, value, StringComparison.Ordinal))
            {
                return recent;
            }

            Volatile.Write(ref strings[slot], value);
            return value;
        }
    }

    /// <summary>How many distinct domains and cell ids the projections share one copy of (beyond it, each record keeps its own).</summary>
    private const int MaxSharedStrings = 65_536;

    /// <summary>
    /// One copy of each domain and cell id for every record that names it: 100k instances on 1,000 cells hold 1,000
    /// cell-id strings, not 100k. Bounded, so unusual data cannot grow it without limit; used from the view's loop.
    /// </summary>
    private sealed class SharedStrings(int capacity)
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> strings = new(StringComparer.Ordinal);

        public string Get(string? value)
        {
            if (string.IsNullOrEmpty(value))
            {
                return string.Empty;
            }

            if (strings.TryGetValue(value, out var shared))
            {
                return shared;
            }

            return strings.Count < capacity ? strings.GetOrAdd(value, value) : value;
        }
    }

    /// <summary>Decodes the record and keeps what <paramref name="keep"/> makes of it; a record that does not decode is logged and kept as unreadable.</summary>
    private static object? Project<T>(RecordSerializer serializer, ILogger logger, KeyValue kv, Func<T, object> keep)
        where T : class, IMessage<T>, new()
    {
        try
        {
            return keep(serializer.Deserialize<T>(kv.Value.Span));
        }
        catch (RecordFormatException ex)
        {
            LogUndecodable(logger, kv.Key, ex.Message);
            return UnreadableRecord.Of(kv.Key, ex);
        }
        catch (InvalidProtocolBufferException ex)
        {
            LogUndecodable(logger, kv.Key, ex.Message);
            return UnreadableRecord.Of(kv.Key, new RecordFormatException(RecordFormatFailure.MalformedPayload, ex.Message, ex));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "record {Key} does not decode: {Reason}")]
    private static partial void LogUndecodable(ILogger logger, string key, string reason);
}
