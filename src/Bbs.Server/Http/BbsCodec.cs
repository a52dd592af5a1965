using System.Buffers;
using System.Text;
using System.Text.Json;
using System.IO.Pipelines;
using Bbs.Models;
using Google.Protobuf;
using Microsoft.Net.Http.Headers;

namespace Bbs.Server.Http;

/// <summary>
/// The one place where request and response bodies are encoded: protobuf (BBS's wire form, the default,
/// whatever the Content-Type says, as BBS never checks it) or JSON when the request's Content-Type is
/// <c>application/json</c> (our addition; proto3 JSON mapping with BBS's snake_case names).
/// </summary>
public static class BbsCodec
{
    public const string ProtobufContentType = "application/x-protobuf";
    public const string JsonContentType = "application/json";

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    /// <summary>True when the request asked for the JSON form.</summary>
    public static bool IsJson(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
        && (mediaType.MediaType.Equals(JsonContentType, StringComparison.OrdinalIgnoreCase)
            || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Reads and decodes the whole body. Returns the message, or BBS's error: UnknownError when the body
    /// cannot be read, InvalidRequest ("the request received is invalid") when it does not decode.
    /// </summary>
    public static async ValueTask<(T? Message, Error? Error)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class, IMessage<T>, new()
    {
        var reader = request.BodyReader;
        ReadResult read;
        try
        {
            while (true)
            {
                read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (read.IsCompleted || read.IsCanceled)
                {
                    break;
                }

                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            }
        }
        catch (IOException ex) when (ex is not BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            // (BadHttpRequestException is an IOException.) A body over max_request_body_bytes is not swallowed
            // here: the request limits answer it 413.
            return (default, BbsErrors.Unknown);
        }

        try
        {
            return Decode<T>(read.Buffer, IsJson(request));
        }
        finally
        {
            reader.AdvanceTo(read.Buffer.End);
        }
    }

    /// <summary>
    /// Decodes a whole body, protobuf or (when <paramref name="json"/>) JSON. Returns the message, or InvalidRequest
    /// ("the request received is invalid") when it does not decode; throws nothing for any input.
    /// </summary>
    public static (T? Message, Error? Error) Decode<T>(in ReadOnlySequence<byte> body, bool json)
        where T : class, IMessage<T>, new()
    {
        try
        {
            var message = json ? Parser.Parse<T>(Encoding.UTF8.GetString(body)) : Parsers<T>.Instance.ParseFrom(body);
            return (message, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Google.Protobuf reports most malformed input as InvalidProtocolBufferException, but some truncated
            // fields surface as IndexOutOfRangeException or ArgumentException from its readers: every failure to
            // decode a body is the caller's bad input, never a 500.
            return (default, BbsErrors.BadRequest);
        }
    }

    /// <summary>Writes <paramref name="message"/> in the form the request used, with Content-Length.</summary>
    public static async Task WriteAsync(HttpContext context, IMessage message, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        if (IsJson(context.Request))
        {
            await WriteJsonAsync(response, Formatter.Format(message), cancellationToken).ConfigureAwait(false);
            return;
        }

        response.ContentType = ProtobufContentType;
        var size = message.CalculateSize();
        response.ContentLength = size;
        if (size == 0)
        {
            return;
        }

        // Serialize straight into the response pipe's own memory: no intermediate array. (Passing the
        // PipeWriter itself to WriteTo would Advance before GetSpan, which Kestrel refuses.)
        var writer = response.BodyWriter;
        message.WriteTo(writer.GetSpan(size)[..size]);
        writer.Advance(size);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes, as protobuf, a message whose only content is the repeated field <paramref name="field"/> holding
    /// <paramref name="records"/> (each an element's encoded bytes): tag, length and bytes per record, streamed
    /// into the response pipe in chunks, with Content-Length. No message is built and nothing is re-encoded.
    /// </summary>
    public static async Task WriteRecordsAsync(HttpContext context, int field, IReadOnlyList<ReadOnlyMemory<byte>> records, CancellationToken cancellationToken)
    {
        const int FlushEvery = 64 * 1024;
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ProtobufContentType;
        uint tag = WireFormat.MakeTag(field, WireFormat.WireType.LengthDelimited);
        int tagSize = CodedOutputStream.ComputeRawVarint32Size(tag);
        long total = 0;
        foreach (var record in records)
        {
            total += tagSize + CodedOutputStream.ComputeLengthSize(record.Length) + record.Length;
        }

        response.ContentLength = total;
        var writer = response.BodyWriter;
        int pending = 0;
        foreach (var record in records)
        {
            int size = tagSize + CodedOutputStream.ComputeLengthSize(record.Length) + record.Length;
            var span = writer.GetSpan(size);
            int offset = WriteVarint(span, tag);
            offset += WriteVarint(span[offset..], (uint)record.Length);
            record.Span.CopyTo(span[offset..]);
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

    /// <summary>
    /// Writes a response that carries only <paramref name="error"/> in field 1 (every BBS response has its
    /// error there), plus <c>keep_container=true</c> (field 2) for the evacuation routes that answer so.
    /// </summary>
    public static Task WriteErrorAsync(HttpContext context, Error error, bool keepContainer, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        if (IsJson(context.Request))
        {
            var json = keepContainer
                ? $"{{\"error\":{Formatter.Format(error)},\"keep_container\":true}}"
                : $"{{\"error\":{Formatter.Format(error)}}}";
            return WriteJsonAsync(response, json, cancellationToken);
        }

        var errorSize = error.CalculateSize();
        using var stream = new MemoryStream(errorSize + 16);
        using (var coded = new CodedOutputStream(stream, leaveOpen: true))
        {
            coded.WriteTag(1, WireFormat.WireType.LengthDelimited);
            coded.WriteMessage(error);
            if (keepContainer)
            {
                coded.WriteTag(2, WireFormat.WireType.Varint);
                coded.WriteBool(true);
            }
        }

        response.ContentType = ProtobufContentType;
        response.ContentLength = stream.Length;
        return response.Body.WriteAsync(stream.GetBuffer().AsMemory(0, (int)stream.Length), cancellationToken).AsTask();
    }

    private static Task WriteJsonAsync(HttpResponse response, string json, CancellationToken cancellationToken)
    {
        // Google.Protobuf pretty-prints ("{ \"a\": 1 }"); answer compact JSON, as other JSON APIs do.
        var buffer = new ArrayBufferWriter<byte>(json.Length);
        using (var document = JsonDocument.Parse(json))
        using (var writer = new Utf8JsonWriter(buffer))
        {
            document.WriteTo(writer);
        }

        response.ContentType = JsonContentType;
        response.ContentLength = buffer.WrittenCount;
        return response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken).AsTask();
    }

    private static class Parsers<T>
        where T : class, IMessage<T>, new()
    {
        public static readonly MessageParser<T> Instance = new(() => new T());
    }
}
