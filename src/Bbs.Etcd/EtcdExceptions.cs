using Grpc.Core;

namespace Bbs.Etcd;

/// <summary>
/// A call to etcd failed. <see cref="StatusCode"/> is the gRPC status etcd (or Grpc.Net.Client) reported and
/// <see cref="Exception.Message"/> its detail, e.g. "etcdserver: mvcc: required revision is a future revision";
/// the <see cref="RpcException"/> is the inner exception.
/// </summary>
public class EtcdException : Exception
{
    public EtcdException(StatusCode statusCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    public StatusCode StatusCode { get; }
}

/// <summary>
/// etcd could not be reached, the connection broke, or etcd answered <see cref="StatusCode.Unavailable"/>
/// (no leader, leader changed, request timed out inside etcd). The operation may or may not have been applied
/// when the request had been sent; only idempotent calls are retried by the client.
/// </summary>
public sealed class EtcdUnavailableException : EtcdException
{
    public EtcdUnavailableException(string message, Exception? innerException = null)
        : base(StatusCode.Unavailable, message, innerException)
    {
    }

    /// <summary>
    /// True when no connection to any member could be opened (refused, unresolvable, TLS handshake failed), so the
    /// request provably never left the client.
    /// </summary>
    public bool NotConnected { get; init; }

    /// <summary>True when the call already waited the connect timeout for a member to accept a connection; retrying at once is pointless.</summary>
    internal bool WaitedForConnection { get; init; }
}

/// <summary>
/// The call did not finish within its deadline (<see cref="EtcdClientOptions.RequestTimeout"/>), measured by the
/// client or reported by etcd. Like <see cref="EtcdUnavailableException"/>, a write may still have been applied.
/// </summary>
public sealed class EtcdDeadlineExceededException : EtcdException
{
    public EtcdDeadlineExceededException(string message, Exception? innerException = null)
        : base(StatusCode.DeadlineExceeded, message, innerException)
    {
    }
}

/// <summary>
/// The requested revision is older than etcd's compaction point: a Range at a compacted revision (etcd answers
/// OutOfRange "mvcc: required revision has been compacted"), or a watch whose start revision, or resume
/// revision after a reconnect, was compacted away.
/// </summary>
public sealed class EtcdCompactedException : EtcdException
{
    public EtcdCompactedException(long compactRevision, string message)
        : base(StatusCode.OutOfRange, message)
    {
        CompactRevision = compactRevision;
    }

    /// <summary>
    /// The oldest revision still available, as reported by a watch; 0 for a Range, where etcd does not report it.
    /// </summary>
    public long CompactRevision { get; }
}

/// <summary>
/// The requested revision is newer than etcd's current one: a Range or Compact at a future revision (etcd answers
/// OutOfRange "mvcc: required revision is a future revision").
/// </summary>
public sealed class EtcdFutureRevisionException : EtcdException
{
    public EtcdFutureRevisionException(string message)
        : base(StatusCode.OutOfRange, message)
    {
    }
}

/// <summary>etcd answered NotFound "requested lease not found": the lease expired, was revoked, or never existed.</summary>
public sealed class EtcdLeaseNotFoundException : EtcdException
{
    public EtcdLeaseNotFoundException(string message)
        : base(StatusCode.NotFound, message)
    {
    }
}

/// <summary>
/// etcd refused the client's credentials (<see cref="EtcdClientOptions.Username"/> and password): a wrong password,
/// an unknown user, or a cluster without authentication. Calls cannot succeed until the configuration changes.
/// </summary>
public sealed class EtcdAuthenticationException : EtcdException
{
    public EtcdAuthenticationException(StatusCode statusCode, string message, Exception? innerException = null)
        : base(statusCode, message, innerException)
    {
    }
}

/// <summary>Turns Grpc.Net.Client's failures into the client's typed exceptions.</summary>
internal static class EtcdErrors
{
    private const string CompactedMessage = "required revision has been compacted";
    private const string FutureRevisionMessage = "required revision is a future revision";
    private const string LeaseNotFoundMessage = "requested lease not found";

    public static EtcdException From(RpcException ex)
    {
        string message = ex.Status.Detail;
        if (IsConnectFailure(ex))
        {
            return new EtcdUnavailableException($"cannot connect to etcd: {message}", ex) { NotConnected = true };
        }

        return ex.StatusCode switch
        {
            StatusCode.Unavailable => new EtcdUnavailableException(message, ex),
            StatusCode.DeadlineExceeded => new EtcdDeadlineExceededException(message.Length == 0 ? "etcd did not answer within the deadline" : message, ex),
            StatusCode.OutOfRange when message.Contains(CompactedMessage, StringComparison.Ordinal) => new EtcdCompactedException(0, message),
            StatusCode.OutOfRange when message.Contains(FutureRevisionMessage, StringComparison.Ordinal) => new EtcdFutureRevisionException(message),
            StatusCode.NotFound when message.Contains(LeaseNotFoundMessage, StringComparison.Ordinal) => new EtcdLeaseNotFoundException(message),
            _ => new EtcdException(ex.StatusCode, message, ex),
        };
    }

    /// <summary>
    /// Grpc.Net.Client reports a connection that could not be opened as Unavailable (no member reachable) or,
    /// when the HTTP request failed before it was sent, as Internal; the cause is in <see cref="RpcException.Status"/>'s
    /// debug exception.
    /// </summary>
    private static bool IsConnectFailure(RpcException ex) =>
        ex.StatusCode is StatusCode.Unavailable or StatusCode.Internal && ex.Status.DebugException is { } cause && (
            cause is System.Net.Sockets.SocketException ||
            cause is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError });
}
