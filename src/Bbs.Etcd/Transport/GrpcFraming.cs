using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace Bbs.Etcd.Transport;

/// <summary>gRPC's length-prefixed message framing: 1 byte compressed-flag, 4 bytes big-endian length, the message.</summary>
internal static class GrpcFraming
{
    public const int HeaderLength = 5;

    public static byte[] Encode(IMessage message)
    {
        int size = message.CalculateSize();
        var frame = new byte[HeaderLength + size];
        frame[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1, 4), (uint)size);
        message.WriteTo(frame.AsSpan(HeaderLength));
        return frame;
    }
}

/// <summary>Reads framed messages from a response body, one at a time. Not thread-safe.</summary>
internal sealed class GrpcFrameReader(Stream stream, int maxMessageBytes)
{
    private readonly byte[] _header = new byte[GrpcFraming.HeaderLength];

    /// <summary>The next message, or null when the body ended cleanly at a message boundary.</summary>
    public async ValueTask<T?> ReadAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        int read = await stream.ReadAtLeastAsync(_header, GrpcFraming.HeaderLength, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return null;
        }

        if (read < GrpcFraming.HeaderLength)
        {
            throw new EtcdUnavailableException("the response ended inside a gRPC message header");
        }

        if (_header[0] != 0)
        {
            throw new EtcdException(GrpcStatusCode.Internal, "etcd sent a compressed gRPC message, which this client never asks for");
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(1));
        if (length > (uint)maxMessageBytes)
        {
            throw new EtcdException(GrpcStatusCode.ResourceExhausted, $"etcd sent a {length}-byte message; the limit is {maxMessageBytes} (MaxReceiveMessageBytes)");
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            await stream.ReadExactlyAsync(buffer.AsMemory(0, (int)length), cancellationToken).ConfigureAwait(false);

            // Parsing copies bytes fields out of the span, so the pooled buffer can be returned afterwards.
            return parser.ParseFrom(buffer.AsSpan(0, (int)length));
        }
        catch (EndOfStreamException ex)
        {
            throw new EtcdUnavailableException("the response ended inside a gRPC message", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
