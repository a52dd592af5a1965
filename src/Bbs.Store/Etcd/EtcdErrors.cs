using Bbs.Etcd;

namespace Bbs.Store.Etcd;

/// <summary>Translates the etcd client's failures into the port's (see <see cref="IKeyValueStore"/>).</summary>
internal static class EtcdErrors
{
    /// <summary>
    /// Unavailable, deadlines and refused credentials are <see cref="StoreUnavailableException"/>; compacted, future revision and unknown lease
    /// their typed exceptions; InvalidArgument (an empty key, a key written twice in a transaction, too many
    /// operations) is <see cref="ArgumentException"/>; anything else a <see cref="StoreException"/> with etcd's message.
    /// </summary>
    /// <summary>
    /// etcd refused a request over its <c>--max-request-bytes</c> ("etcdserver: request is too large"), or gRPC one over
    /// the server's receive limit ("received message larger than max", ResourceExhausted).
    /// </summary>
    public static bool IsRequestTooLarge(EtcdException error) =>
        error.StatusCode == Grpc.Core.StatusCode.ResourceExhausted
        || (error.StatusCode == Grpc.Core.StatusCode.InvalidArgument && error.Message.Contains("request is too large", StringComparison.Ordinal));

    public static Exception ToStoreException(EtcdException error) => error switch
    {
        EtcdUnavailableException or EtcdDeadlineExceededException => new StoreUnavailableException(error.Message, error),

        // Credentials etcd refuses leave the store as unusable as an unreachable one, until an operator fixes them.
        EtcdAuthenticationException => new StoreUnavailableException(error.Message, error),
        { StatusCode: Grpc.Core.StatusCode.PermissionDenied or Grpc.Core.StatusCode.Unauthenticated } => new StoreUnavailableException($"etcd refused the call: {error.Message}", error),

        // A watch reports the compaction point; a Range or Compact does not.
        EtcdCompactedException { CompactRevision: > 0 } compacted => new StoreCompactedException(compacted.CompactRevision),
        EtcdCompactedException => new StoreCompactedException(error.Message, error),
        EtcdFutureRevisionException => new StoreFutureRevisionException(error.Message, error),
        EtcdLeaseNotFoundException => new StoreLeaseNotFoundException(error.Message, error),
        { StatusCode: Grpc.Core.StatusCode.InvalidArgument } => new ArgumentException(error.Message, error),
        _ => new StoreException(error.Message, error),
    };
}
