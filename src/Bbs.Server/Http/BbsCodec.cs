using System.Buffers;
using System.IO.Pipelines;
using Bbs.Models;
using Bbs.Models.Json;
using Google.Protobuf;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace Bbs.Server.Http;

/// <summary>
/// The one place where request and response bodies are encoded: protobuf (BBS's wire form, the default,
/// whatever the Content-Type says, as BBS never checks it) or JSON when the request's Content-Type is
/// <c>application/json</c> (our addition, in Diego's JSON form: what the Go models write, and cfdot prints).
/// The answer takes the request's form unless <c>Accept</c> prefers the other one.
/// </summary>
public static class BbsCodec
{
    public const string ProtobufContentType = "application/x-protobuf";
    public const string JsonContentType = "application/json";

    private static int deprecationLogged;

    /// <summary>True when the request body is in the JSON form.</summary>
    public static bool IsJson(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) && IsJsonType(mediaType);

    /// <summary>
    /// True when the answer is JSON: <c>Accept</c> prefers JSON to protobuf, or says neither (<c>*/*</c>, or no header,
    /// as Diego's Go client sends) and the request body is JSON.
    /// </summary>
    public static bool AnswersJson(HttpRequest request)
    {
        if (request.Headers.Accept.Count > 0 && MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted))
        {
            double json = 0, protobuf = 0;
            foreach (var type in accepted)
            {
                var quality = type.Quality ?? 1;
                if (IsJsonType(type))
                {
                    json = Math.Max(json, quality);
                }
                else if (type.MediaType.Equals(ProtobufContentType, StringComparison.OrdinalIgnoreCase))
                {
                    protobuf = Math.Max(protobuf, quality);
                }
            }

            if (json != protobuf)
            {
                return json > protobuf;
            }
        }

        return IsJson(request);
    }

    private static bool IsJsonType(MediaTypeHeaderValue mediaType) =>
        mediaType.MediaType.Equals(JsonContentType, StringComparison.OrdinalIgnoreCase)
        || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase);

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
            var (message, error, deprecated) = DecodeNoting<T>(read.Buffer, IsJson(request));
            if (deprecated is not null && Interlocked.Exchange(ref deprecationLogged, 1) == 0)
            {
                request.HttpContext.RequestServices.GetService<ILoggerFactory>()?.CreateLogger(typeof(BbsCodec).FullName!)
                    .LogWarning("a JSON request used this server's earlier proto3 form, at {Member}: it is accepted until the next major version; send Diego's JSON form (README, JSON). Logged once per process", deprecated);
            }

            return (message, error);
        }
        finally
        {
            reader.AdvanceTo(read.Buffer.End);
        }
    }

    /// <summary>
    /// Decodes a whole body, protobuf or (when <paramref name="json"/>) JSON. Returns the message, or InvalidRequest:
    /// BBS's "the request received is invalid" for protobuf, and for JSON what is wrong and where. Throws nothing for
    /// any input.
    /// </summary>
    public static (T? Message, Error? Error) Decode<T>(in ReadOnlySequence<byte> body, bool json)
        where T : class, IMessage<T>, new()
    {
        var (message, error, _) = DecodeNoting<T>(body, json);
        return (message, error);
    }

    /// <summary><see cref="Decode{T}(in ReadOnlySequence{byte}, bool)"/>, also saying where a JSON body used the deprecated proto3 form.</summary>
    private static (T? Message, Error? Error, string? Deprecated) DecodeNoting<T>(in ReadOnlySequence<byte> body, bool json)
        where T : class, IMessage<T>, new()
    {
        try
        {
            if (json)
            {
                var read = GoJsonReader.Read<T>(body);
                return read.Error is null
                    ? (read.Message, null, read.Deprecated)
                    : (null, BbsErrors.InvalidRequest(read.Error), null);
            }

            return (Parsers<T>.Instance.ParseFrom(body), null, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Google.Protobuf reports most malformed input as InvalidProtocolBufferException, but some truncated
            // fields surface as IndexOutOfRangeException or ArgumentException from its readers: every failure to
            // decode a body is the caller's bad input, never a 500.
            return (default, BbsErrors.BadRequest, null);
        }
    }

    /// <summary>Writes <paramref name="message"/> in the form the request used, with Content-Length.</summary>
    public static async Task WriteAsync(HttpContext context, IMessage message, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        if (AnswersJson(context.Request))
        {
            await WriteJsonAsync(response, message, cancellationToken).ConfigureAwait(false);
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
    public static Task WriteRecordsAsync(HttpContext context, int field, IReadOnlyList<ReadOnlyMemory<byte>> records, CancellationToken cancellationToken) =>
        ComposedRecordsWriter.WriteAsync(context, field, new StoredRecords(records), cancellationToken);

    /// <summary>Records whose encodings are stored as they are: written by copying.</summary>
    private sealed class StoredRecords(IReadOnlyList<ReadOnlyMemory<byte>> records) : IComposedRecords
    {
        public int Count => records.Count;

        public int SizeOf(int index) => records[index].Length;

        public void Write(int index, Span<byte> destination) => records[index].Span.CopyTo(destination);
    }

    /// <summary>
    /// Writes a response that carries only <paramref name="error"/> in field 1 (every BBS response has its
    /// error there), plus <c>keep_container=true</c> (field 2) for the evacuation routes that answer so.
    /// </summary>
    public static Task WriteErrorAsync(HttpContext context, Error error, bool keepContainer, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        if (AnswersJson(context.Request))
        {
            return WriteJsonAsync(response, ErrorResponse(context, error, keepContainer), cancellationToken);
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

    /// <summary>
    /// The route's own response message carrying only <paramref name="error"/> (and keep_container), so that its JSON
    /// has every member Go writes for that response (<c>"should_start":false</c>, <c>"keep_container":false</c>).
    /// </summary>
    private static IMessage ErrorResponse(HttpContext context, Error error, bool keepContainer)
    {
        var responseType = context.GetEndpoint()?.Metadata.GetMetadata<IProducesResponseTypeMetadata>()?.Type;
        if (responseType is null || !typeof(IMessage).IsAssignableFrom(responseType) || Activator.CreateInstance(responseType) is not IMessage response
            || response.Descriptor.FindFieldByNumber(1) is not { FieldType: Google.Protobuf.Reflection.FieldType.Message } errorField
            || errorField.MessageType != Error.Descriptor)
        {
            // A route without a BBS response type (the event streams' filter): the error alone, as every response has it.
            response = new UpsertDomainResponse();
            errorField = UpsertDomainResponse.Descriptor.FindFieldByNumber(1);
        }

        errorField.Accessor.SetValue(response, error);
        if (keepContainer && response.Descriptor.FindFieldByNumber(2) is { FieldType: Google.Protobuf.Reflection.FieldType.Bool } keep)
        {
            keep.Accessor.SetValue(response, true);
        }

        return response;
    }

    private static Task WriteJsonAsync(HttpResponse response, IMessage message, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        GoJsonWriter.Write(buffer, message);
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
