using Google.Protobuf;

namespace Bbs.Server.Http;

/// <summary>
/// The elements of a list response's one repeated message field, each composed into its protobuf encoding as it is
/// written (the desired LRPs, from their two stored halves): no message is built per element.
/// </summary>
public interface IComposedRecords
{
    int Count { get; }

    /// <summary>The size of element <paramref name="index"/>'s encoding.</summary>
    int SizeOf(int index);

    /// <summary>Writes element <paramref name="index"/>'s encoding, exactly <see cref="SizeOf"/> bytes.</summary>
    void Write(int index, Span<byte> destination);
}

/// <summary>Writes a list response of <see cref="IComposedRecords"/> as protobuf, streamed, with Content-Length.</summary>
public static class ComposedRecordsWriter
{
    private const int FlushEvery = 64 * 1024;

    /// <summary>
    /// Writes, as protobuf, a message whose only content is the repeated field <paramref name="field"/> holding the
    /// records: every size first (for Content-Length), then tag, length and composed bytes per record, flushed in chunks.
    /// </summary>
    public static async Task WriteAsync(HttpContext context, int field, IComposedRecords records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(records);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = BbsCodec.ProtobufContentType;
        uint tag = WireFormat.MakeTag(field, WireFormat.WireType.LengthDelimited);
        int tagSize = CodedOutputStream.ComputeRawVarint32Size(tag);
        var sizes = new int[records.Count];
        long total = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            sizes[i] = records.SizeOf(i);
            total += tagSize + CodedOutputStream.ComputeLengthSize(sizes[i]) + sizes[i];
        }

        response.ContentLength = total;
        var writer = response.BodyWriter;
        int pending = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            int size = tagSize + CodedOutputStream.ComputeLengthSize(sizes[i]) + sizes[i];
            var span = writer.GetSpan(size)[..size];
            int offset = WriteVarint(span, tag);
            offset += WriteVarint(span[offset..], (uint)sizes[i]);
            records.Write(i, span[offset..]);
            writer.Advance(size);
            pending += size;
            if (pending >= FlushEvery)
            {
                pending = 0;
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static int WriteVarint(Span<byte> span, uint value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        return i;
    }
}
