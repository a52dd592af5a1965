using System.Buffers;
using System.Buffers.Text;
using System.Collections.Frozen;
using Bbs.Models;
using Google.Protobuf;

namespace Bbs.Client.Events;

/// <summary>What the SSE parser made of one event's <c>data</c>: a message, nothing (unknown name) or a reason it is invalid.</summary>
internal readonly record struct EventPayload(IMessage? Message, string? Invalid);

/// <summary>
/// Decodes an event's <c>data</c> as the Go client's event source does: base64 (standard, padded), then the protobuf
/// message chosen by the event name. Empty or undecodable data is invalid; an unknown name is skipped.
/// </summary>
internal static class EventPayloads
{
    private static readonly FrozenDictionary<string, MessageParser> Parsers = new Dictionary<string, MessageParser>(StringComparer.Ordinal)
    {
        [BbsEventNames.DesiredLrpCreated] = DesiredLRPCreatedEvent.Parser,
        [BbsEventNames.DesiredLrpChanged] = DesiredLRPChangedEvent.Parser,
        [BbsEventNames.DesiredLrpRemoved] = DesiredLRPRemovedEvent.Parser,
        [BbsEventNames.ActualLrpCreated] = ActualLRPCreatedEvent.Parser,
        [BbsEventNames.ActualLrpChanged] = ActualLRPChangedEvent.Parser,
        [BbsEventNames.ActualLrpRemoved] = ActualLRPRemovedEvent.Parser,
        [BbsEventNames.ActualLrpCrashed] = ActualLRPCrashedEvent.Parser,
        [BbsEventNames.ActualLrpInstanceCreated] = ActualLRPInstanceCreatedEvent.Parser,
        [BbsEventNames.ActualLrpInstanceChanged] = ActualLRPInstanceChangedEvent.Parser,
        [BbsEventNames.ActualLrpInstanceRemoved] = ActualLRPInstanceRemovedEvent.Parser,
        [BbsEventNames.TaskCreated] = TaskCreatedEvent.Parser,
        [BbsEventNames.TaskChanged] = TaskChangedEvent.Parser,
        [BbsEventNames.TaskRemoved] = TaskRemovedEvent.Parser,
        [BbsEventNames.ResyncRequired] = Error.Parser,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>An <see cref="System.Net.ServerSentEvents.SseItemParser{T}"/>.</summary>
    public static EventPayload Decode(string eventType, ReadOnlySpan<byte> data)
    {
        if (!Parsers.TryGetValue(eventType, out var parser))
        {
            return default;
        }

        if (data.IsEmpty)
        {
            return new EventPayload(null, "empty data");
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Base64.GetMaxDecodedFromUtf8Length(data.Length));
        try
        {
            var status = Base64.DecodeFromUtf8(data, buffer, out var consumed, out var written);
            if (status != OperationStatus.Done || consumed != data.Length)
            {
                return new EventPayload(null, "data is not standard base64");
            }

            return new EventPayload(parser.ParseFrom(buffer.AsSpan(0, written)), null);
        }
        catch (InvalidProtocolBufferException ex)
        {
            return new EventPayload(null, ex.Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
