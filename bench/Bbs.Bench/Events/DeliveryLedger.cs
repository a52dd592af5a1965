using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using Bbs.Bench.Measure;
using Bbs.Models;
using Google.Protobuf;

namespace Bbs.Bench.Events;

/// <summary>
/// The timed writes (when each was sent and when its response came back) and which SSE event belongs to which
/// write. A write is named by what its <c>actual_lrp_changed</c> event carries (process guid, index, new state);
/// the first subscriber that sees an event id decodes its data once and records the write under the id's revision,
/// so every other subscriber matches the event by its revision alone, without decoding. Thread-safe.
/// </summary>
internal sealed class DeliveryLedger(int capacity)
{
    /// <summary>What <see cref="WriteOf"/> answers for an event that is not one of the timed writes.</summary>
    public const int Untimed = -1;

    private readonly long _epoch = Clock.Now;
    private readonly long[] _sentAt = new long[capacity];
    private readonly long[] _doneAt = new long[capacity];
    private readonly ConcurrentDictionary<string, int> _writes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, int> _byRevision = new();
    private int _count;

    /// <summary>Registers a write that will make the instance <paramref name="state"/>, sent now; returns its id.</summary>
    public int Sending(string processGuid, int index, string state)
    {
        int id = Interlocked.Increment(ref _count) - 1;
        _sentAt[id] = Clock.Now;
        _writes[Key(processGuid, index, state)] = id;
        return id;
    }

    /// <summary>The response to write <paramref name="id"/> arrived now.</summary>
    public void Done(int id) => _doneAt[id] = Clock.Now;

    public bool Knows(long revision) => _byRevision.ContainsKey(revision);

    /// <summary>The id of the write that produced <paramref name="revision"/>, or <see cref="Untimed"/>.</summary>
    public int WriteOf(long revision) => _byRevision.TryGetValue(revision, out int id) ? id : Untimed;

    /// <summary>A <see cref="Clock"/> timestamp as milliseconds since this ledger was made, the unit arrivals are kept in.</summary>
    public float Offset(long timestamp) => (float)Stopwatch.GetElapsedTime(_epoch, timestamp).TotalMilliseconds;

    /// <summary>From sending write <paramref name="id"/> to <paramref name="arrivedMs"/> (an <see cref="Offset"/>).</summary>
    public float SinceSent(int id, float arrivedMs) => arrivedMs - Offset(_sentAt[id]);

    /// <summary>From the response to write <paramref name="id"/> to <paramref name="arrivedMs"/>; negative when the event came first.</summary>
    public float SinceDone(int id, float arrivedMs) => arrivedMs - Offset(_doneAt[id]);

    /// <summary>Decodes one event's base64 data and remembers which write (if any) produced its revision.</summary>
    public void Learn(long revision, bool isActualLrpChanged, ReadOnlySpan<byte> base64)
    {
        int id = Untimed;
        if (isActualLrpChanged && Decode(base64)?.After?.Instance is { } after
            && _writes.TryGetValue(Key(after.ActualLrpKey.ProcessGuid, after.ActualLrpKey.Index, after.State), out int write))
        {
            id = write;
        }

        _byRevision.TryAdd(revision, id);
    }

    private static ActualLRPChangedEvent? Decode(ReadOnlySpan<byte> base64)
    {
        byte[] bytes = ArrayPool<byte>.Shared.Rent(Base64.GetMaxDecodedFromUtf8Length(base64.Length));
        try
        {
            return Base64.DecodeFromUtf8(base64, bytes, out _, out int written) == OperationStatus.Done
                ? ActualLRPChangedEvent.Parser.ParseFrom(bytes.AsSpan(0, written))
                : null;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static string Key(string processGuid, int index, string state) => $"{processGuid}/{index}/{state}";
}
