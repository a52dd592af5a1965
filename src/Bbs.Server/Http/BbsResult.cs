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
    public BbsResult(T message)
    {
        Message = message;
    }

    public T Message { get; }

    public static implicit operator BbsResult<T>(T message) => new(message);

    public Task ExecuteAsync(HttpContext httpContext) => BbsCodec.WriteAsync(httpContext, Message, httpContext.RequestAborted);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), [BbsCodec.ProtobufContentType, BbsCodec.JsonContentType]));
    }
}

/// <summary>An in-band error answer for any route: only field 1 set (and keep_container where asked).</summary>
public sealed class BbsErrorResult(Models.Error error, bool keepContainer) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext) => BbsCodec.WriteErrorAsync(httpContext, error, keepContainer, httpContext.RequestAborted);
}
