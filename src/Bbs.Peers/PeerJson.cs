using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bbs.Peers;

/// <summary>The one serializer for peer bodies: source-generated, property names fixed by attributes on the records.</summary>
[JsonSerializable(typeof(IReadOnlyList<LrpStartRequest>))]
[JsonSerializable(typeof(IReadOnlyList<TaskStartRequest>))]
internal sealed partial class PeerJsonContext : JsonSerializerContext
{
    public static byte[] Serialize(IReadOnlyList<LrpStartRequest> requests) =>
        JsonSerializer.SerializeToUtf8Bytes(requests, Default.IReadOnlyListLrpStartRequest);

    public static byte[] Serialize(IReadOnlyList<TaskStartRequest> requests) =>
        JsonSerializer.SerializeToUtf8Bytes(requests, Default.IReadOnlyListTaskStartRequest);
}
