namespace Bbs.Etcd;

/// <summary>
/// A call to etcd failed. <see cref="StatusCode"/> is the gRPC status etcd (or the transport) reported and
/// <see cref="Exception.Message"/> its <c>grpc-message</c>, e.g. "etcdserver: mvcc: required revision is a future revision".
/// </summary>
public class EtcdException : Exception
{
    public EtcdException(GrpcStatusCode statusCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    public GrpcStatusCode StatusCode { get; }
}

/// <summary>
/// etcd could not be reached, the connection broke, or etcd answered <see cref="GrpcStatusCode.Unavailable"/>
/// (no leader, leader changed, request timed out inside etcd). The operation may or may not have been applied
/// when the request had been sent; only idempotent calls are retried by the client.
/// </summary>
public sealed class EtcdUnavailableException : EtcdException
{
    public EtcdUnavailableException(string message, Exception? innerException = null)
        : base(GrpcStatusCode.Unavailable, message, innerException)
    {
    }

    /// <summary>True when the request provably never left the client (the connection could not be opened).</summary>
    internal bool RequestNotSent { get; init; }
}

/// <summary>
/// The call did not finish within its deadline (<see cref="EtcdClientOptions.RequestTimeout"/>), measured by the
/// client or reported by etcd. Like <see cref="EtcdUnavailableException"/>, a write may still have been applied.
/// </summary>
public sealed class EtcdDeadlineExceededException : EtcdException
{
    public EtcdDeadlineExceededException(string message, Exception? innerException = null)
        : base(GrpcStatusCode.DeadlineExceeded, message, innerException)
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
        : base(GrpcStatusCode.OutOfRange, message)
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
        : base(GrpcStatusCode.OutOfRange, message)
    {
    }
}

/// <summary>etcd answered NotFound "requested lease not found": the lease expired, was revoked, or never existed.</summary>
public sealed class EtcdLeaseNotFoundException : EtcdException
{
    public EtcdLeaseNotFoundException(string message)
        : base(GrpcStatusCode.NotFound, message)
    {
    }
}
