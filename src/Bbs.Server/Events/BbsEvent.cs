using System.Globalization;
using System.Text;
using Bbs.Models.Json;
using Google.Protobuf;

namespace Bbs.Server.Events;

/// <summary>Which streams carry an event.</summary>
[Flags]
public enum EventStreams
{
    None = 0,

    /// <summary>/v1/events[.r1]: desired and actual-LRP group events.</summary>
    Lrps = 1,

    /// <summary>/v1/events/lrp_instances[.r1]: desired and actual-LRP instance events.</summary>
    LrpInstances = 2,

    /// <summary>/v1/events/tasks[.r1].</summary>
    Tasks = 4,
}

/// <summary>
/// Where an event stands in the store's history: the etcd revision of the change and its index among the
/// BBS events that revision produced. Written as the SSE id <c>&lt;revision&gt;.&lt;position&gt;</c>, so a client
/// that reconnects with <c>Last-Event-ID</c> resumes right after it.
/// </summary>
public readonly record struct EventPosition(long Revision, int Position) : IComparable<EventPosition>
{
    public int CompareTo(EventPosition other) => Revision != other.Revision ? Revision.CompareTo(other.Revision) : Position.CompareTo(other.Position);

    public override string ToString() => Revision.ToString(CultureInfo.InvariantCulture) + "." + Position.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses an SSE id written by <see cref="ToString"/>; false for anything else (e.g. BBS's own counters).</summary>
    public static bool TryParse(string? value, out EventPosition position)
    {
        position = default;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var dot = value.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0
            || !long.TryParse(value.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var revision)
            || !int.TryParse(value.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return false;
        }

        position = new EventPosition(revision, index);
        return true;
    }

    public static bool operator <(EventPosition left, EventPosition right) => left.CompareTo(right) < 0;

    public static bool operator >(EventPosition left, EventPosition right) => left.CompareTo(right) > 0;

    public static bool operator <=(EventPosition left, EventPosition right) => left.CompareTo(right) <= 0;

    public static bool operator >=(EventPosition left, EventPosition right) => left.CompareTo(right) >= 0;
}

/// <summary>
/// One BBS event, immutable and shared by every subscriber: its SSE frame is encoded once per form
/// (<c>id</c>, <c>event</c>, <c>data</c> = base64 of the protobuf event, in vito/go-sse's framing; or, for a
/// stream that asked for JSON, <c>data</c> = the event in Diego's JSON form, on one line).
/// </summary>
public sealed class BbsEvent
{
    public BbsEvent(EventPosition position, string name, IMessage message, EventStreams streams, IReadOnlyList<string>? cellIds)
    {
        ArgumentNullException.ThrowIfNull(message);
        Position = position;
        Name = name;
        Message = message;
        Streams = streams;
        CellIds = cellIds;
        frame = new Lazy<byte[]>(() => EncodeFrame(position, name, message, json: false));
        jsonFrame = new Lazy<byte[]>(() => EncodeFrame(position, name, message, json: true));
    }

    // Encoded on first use, once for all subscribers of a form: a change nobody streams costs no encoding.
    private readonly Lazy<byte[]> frame;
    private readonly Lazy<byte[]> jsonFrame;

    public EventPosition Position { get; }

    public string Name { get; }

    public IMessage Message { get; }

    public EventStreams Streams { get; }

    /// <summary>The cells an actual-LRP event concerns; null for desired and task events, which every cell filter passes.</summary>
    public IReadOnlyList<string>? CellIds { get; }

    /// <summary>The complete SSE frame, ready to write.</summary>
    public ReadOnlyMemory<byte> Frame => frame.Value;

    /// <summary>The complete SSE frame with the event's data in Diego's JSON form.</summary>
    public ReadOnlyMemory<byte> JsonFrame => jsonFrame.Value;

    /// <summary>
    /// One SSE frame: <c>data</c> is base64 of the protobuf message, or the message's Go JSON (compact, so one line:
    /// JSON escapes every newline inside strings).
    /// </summary>
    public static byte[] EncodeFrame(EventPosition position, string name, IMessage message, bool json)
    {
        ArgumentNullException.ThrowIfNull(message);
        var data = json ? GoJsonWriter.ToJson(message) : Convert.ToBase64String(message.ToByteArray());
        return Encoding.UTF8.GetBytes($"id: {position}\nevent: {name}\ndata: {data}\n\n");
    }

    /// <summary>True when a subscriber of <paramref name="stream"/> filtered on <paramref name="cellId"/> gets this event.</summary>
    /// <remarks>Runs once per subscriber per event in the fan-out, so it allocates nothing.</remarks>
    public bool IsFor(EventStreams stream, string cellId)
    {
        if ((Streams & stream) == 0)
        {
            return false;
        }

        if (cellId.Length == 0 || CellIds is null)
        {
            return true;
        }

        for (var i = 0; i < CellIds.Count; i++)
        {
            if (string.Equals(CellIds[i], cellId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
