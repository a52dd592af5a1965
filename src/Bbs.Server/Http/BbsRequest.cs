using System.Buffers;
using System.Reflection;
using Bbs.Models;
using Bbs.Models.Validation;
using Google.Protobuf;
using Microsoft.AspNetCore.Http.Metadata;

namespace Bbs.Server.Http;

/// <summary>A decoded request body, or the BBS error that decoding or validation produced.</summary>
public interface IBbsRequest
{
    Error? Error { get; }

    /// <summary>The decoded, validated message; null when <see cref="Error"/> is set.</summary>
    IMessage? Body { get; }
}

/// <summary>
/// The body binder every route uses: decodes <typeparamref name="T"/> from protobuf or JSON and runs its
/// BBS validation. Handlers never see a failed request: <see cref="BbsRequestFilter"/> answers it in-band.
/// </summary>
public sealed class BbsRequest<T> : IBbsRequest, IEndpointParameterMetadataProvider
    where T : class, IMessage<T>, new()
{
    private readonly T? message;

    private BbsRequest(T? message, Error? error)
    {
        this.message = message;
        Error = error;
    }

    public Error? Error { get; }

    IMessage? IBbsRequest.Body => Error is null ? message : null;

    /// <summary>The decoded, validated message. Only read it when <see cref="Error"/> is null.</summary>
    public T Message => message ?? throw new InvalidOperationException("the request failed to decode: " + Error);

    public static async ValueTask<BbsRequest<T>> BindAsync(HttpContext context)
    {
        var (message, error) = await BbsCodec.ReadAsync<T>(context.Request, context.RequestAborted).ConfigureAwait(false);
        return Validated(message, error);
    }

    /// <summary>What <see cref="BindAsync"/> answers for a body already read: decoded, then validated.</summary>
    public static BbsRequest<T> FromBody(in ReadOnlySequence<byte> body, bool json)
    {
        var (message, error) = BbsCodec.Decode<T>(body, json);
        return Validated(message, error);
    }

    private static BbsRequest<T> Validated(T? message, Error? error)
    {
        if (error is null && message is IValidatable validatable && validatable.Validate() is { } invalid)
        {
            error = BbsErrors.InvalidRequest(invalid);
        }

        return new BbsRequest<T>(message, error);
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // JSON first, so Swagger UI's "Try it out" sends JSON; the order does not change what is accepted. "*/*" because
        // every other Content-Type (octet-stream, text/plain, none) carries protobuf, as BBS reads it: without it the
        // router's content-type check would answer 415.
        builder.Metadata.Add(new AcceptsMetadata([BbsCodec.JsonContentType, BbsCodec.ProtobufContentType, BbsRequestContentTypes.Any], typeof(T)));
    }
}

/// <summary>The content types a BBS route's body is read from.</summary>
public static class BbsRequestContentTypes
{
    /// <summary>Any other Content-Type: the body is protobuf.</summary>
    public const string Any = "*/*";
}
