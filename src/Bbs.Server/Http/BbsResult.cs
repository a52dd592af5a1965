using System.Reflection;
using Google.Protobuf;
using Microsoft.AspNetCore.Http.Metadata;

namespace Bbs.Server.Http;

/// <summary>
/// The one response type of every BBS route: HTTP 200 with the response message as protobuf (or JSON
/// when the request was JSON). Errors travel inside the message, in field 1.
/// </summary>
public sealed class BbsResult<T> : IResult, IEndpointMetadataProvider
    where T : IMessage<T>
{
    private readonly int recordsField;
    private readonly IReadOnlyList<ReadOnlyMemory<byte>>? records;
    private readonly IComposedRecords? composed;
    private readonly Func<T>? decode;
    private T? message;

    public BbsResult(T message)
    {
        this.message = message;
    }

    private BbsResult(int field, IReadOnlyList<ReadOnlyMemory<byte>> records, Func<T> decode)
    {
        recordsField = field;
        this.records = records;
        this.decode = decode;
    }

    private BbsResult(int field, IComposedRecords composed, Func<T> decode)
    {
        recordsField = field;
        this.composed = composed;
        this.decode = decode;
    }

    /// <summary>The response message (decoded from the records for a result made by <see cref="FromRecords"/> or <see cref="FromComposed"/>).</summary>
    public T Message => message ??= decode!();

    public static implicit operator BbsResult<T>(T message) => new(message);

    /// <summary>
    /// A response whose only content is the repeated message field <paramref name="field"/>, given as each
    /// element's protobuf bytes: a protobuf answer is written from them as they are (byte-identical to
    /// serializing the message); a JSON answer decodes them with <paramref name="decode"/>.
    /// </summary>
    public static BbsResult<T> FromRecords(int field, IReadOnlyList<ReadOnlyMemory<byte>> records, Func<IReadOnlyList<ReadOnlyMemory<byte>>, T> decode)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(decode);
        return new BbsResult<T>(field, records, () => decode(records));
    }

    /// <summary>
    /// A response whose only content is the repeated message field <paramref name="field"/>, each element composed
    /// into its encoding as it is written: a protobuf answer streams them; a JSON answer decodes with
    /// <paramref name="decode"/>.
    /// </summary>
    public static BbsResult<T> FromComposed(int field, IComposedRecords records, Func<T> decode)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(decode);
        return new BbsResult<T>(field, records, decode);
    }

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (BbsCodec.AnswersJson(httpContext.Request))
        {
            return BbsCodec.WriteAsync(httpContext, Message, httpContext.RequestAborted);
        }

        return (records, composed) switch
        {
            ({ } stored, _) => BbsCodec.WriteRecordsAsync(httpContext, recordsField, stored, httpContext.RequestAborted),
            (_, { } parts) => ComposedRecordsWriter.WriteAsync(httpContext, recordsField, parts, httpContext.RequestAborted),
            _ => BbsCodec.WriteAsync(httpContext, Message, httpContext.RequestAborted),
        };
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // JSON first, so Swagger UI's "Try it out" asks for JSON; which form is answered depends only on the request.
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), [BbsCodec.JsonContentType, BbsCodec.ProtobufContentType]));
    }
}

/// <summary>An in-band error answer for any route: only field 1 set (and keep_container where asked).</summary>
public sealed class BbsErrorResult(Models.Error error, bool keepContainer) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext) => BbsCodec.WriteErrorAsync(httpContext, error, keepContainer, httpContext.RequestAborted);
}
