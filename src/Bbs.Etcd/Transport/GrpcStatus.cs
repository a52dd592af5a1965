using System.Net;
using System.Net.Http.Headers;

namespace Bbs.Etcd.Transport;

/// <summary>Reads gRPC status from HTTP responses and turns statuses and transport failures into typed exceptions.</summary>
internal static class GrpcStatus
{
    private const string CompactedMessage = "required revision has been compacted";
    private const string FutureRevisionMessage = "required revision is a future revision";
    private const string LeaseNotFoundMessage = "requested lease not found";

    /// <summary>The status in <paramref name="headers"/>, or null when there is no <c>grpc-status</c>.</summary>
    public static (GrpcStatusCode Code, string Message)? Read(HttpHeaders headers)
    {
        if (!headers.TryGetValues("grpc-status", out var statusValues))
        {
            return null;
        }

        string status = statusValues.FirstOrDefault() ?? string.Empty;
        var code = int.TryParse(status, out int value) && value is >= 0 and <= 16 ? (GrpcStatusCode)value : GrpcStatusCode.Unknown;
        string message = headers.TryGetValues("grpc-message", out var messageValues) ? Uri.UnescapeDataString(messageValues.FirstOrDefault() ?? string.Empty) : string.Empty;
        return (code, message);
    }

    /// <summary>Checks the HTTP layer of a gRPC response and throws the status of a trailers-only (error) response.</summary>
    public static void EnsureResponseHeaders(HttpResponseMessage response)
    {
        if (Read(response.Headers) is { } status && status.Code != GrpcStatusCode.OK)
        {
            throw ToException(status.Code, status.Message);
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            // The gRPC spec's mapping for responses that did not come from a gRPC server.
            var code = response.StatusCode switch
            {
                HttpStatusCode.BadRequest => GrpcStatusCode.Internal,
                HttpStatusCode.Unauthorized => GrpcStatusCode.Unauthenticated,
                HttpStatusCode.Forbidden => GrpcStatusCode.PermissionDenied,
                HttpStatusCode.NotFound => GrpcStatusCode.Unimplemented,
                HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => GrpcStatusCode.Unavailable,
                _ => GrpcStatusCode.Unknown,
            };
            throw ToException(code, $"etcd answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }

    /// <summary>The final status of a response whose body has been read to the end (trailers, or a trailers-only header).</summary>
    public static (GrpcStatusCode Code, string Message) ReadFinal(HttpResponseMessage response) =>
        Read(response.TrailingHeaders) ?? Read(response.Headers)
        ?? (GrpcStatusCode.Internal, "the response ended without a grpc-status");

    public static EtcdException ToException(GrpcStatusCode code, string message) => code switch
    {
        GrpcStatusCode.Unavailable => new EtcdUnavailableException(message),
        GrpcStatusCode.DeadlineExceeded => new EtcdDeadlineExceededException(message),
        GrpcStatusCode.OutOfRange when message.Contains(CompactedMessage, StringComparison.Ordinal) => new EtcdCompactedException(0, message),
        GrpcStatusCode.OutOfRange when message.Contains(FutureRevisionMessage, StringComparison.Ordinal) => new EtcdFutureRevisionException(message),
        GrpcStatusCode.NotFound when message.Contains(LeaseNotFoundMessage, StringComparison.Ordinal) => new EtcdLeaseNotFoundException(message),
        _ => new EtcdException(code, message),
    };

    /// <summary>
    /// Translates what HttpClient throws into the client's exceptions: the caller's cancellation stays an
    /// <see cref="OperationCanceledException"/>, the deadline becomes <see cref="EtcdDeadlineExceededException"/>,
    /// and every transport failure becomes <see cref="EtcdUnavailableException"/>.
    /// Returns null for exceptions that are not transport failures (they propagate unchanged).
    /// </summary>
    public static Exception? FromTransport(Exception ex, Uri endpoint, CancellationToken callerToken, CancellationToken deadlineToken)
    {
        switch (ex)
        {
            case EtcdException:
                return null;
            case OperationCanceledException when callerToken.IsCancellationRequested:
                return new OperationCanceledException("the call was cancelled", ex, callerToken);
            case OperationCanceledException when deadlineToken.IsCancellationRequested:
                return new EtcdDeadlineExceededException($"etcd at {endpoint} did not answer within the deadline", ex);
            case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError }:
                return new EtcdUnavailableException($"cannot connect to etcd at {endpoint}: {ex.Message}", ex) { RequestNotSent = true };
            case HttpRequestException or HttpProtocolException or IOException or OperationCanceledException:
                // A canceled token that is neither the caller's nor the deadline is the connect timeout or an aborted connection.
                return new EtcdUnavailableException($"the connection to etcd at {endpoint} failed: {ex.Message}", ex);
            default:
                return null;
        }
    }
}
