namespace Bbs.Store;

/// <summary>Base of the store port's typed failures.</summary>
public class StoreException : Exception
{
    public StoreException()
    {
    }

    public StoreException(string message)
        : base(message)
    {
    }

    public StoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The store could not be reached or did not answer in time.</summary>
public sealed class StoreUnavailableException : StoreException
{
    public StoreUnavailableException()
    {
    }

    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>
    /// True when the call was a write that may have been applied: it reached the store, which did not confirm it
    /// (etcd timed out, or lost its leader, after the request was sent). False when nothing was sent, or for reads.
    /// </summary>
    public bool MayHaveBeenApplied { get; init; }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A watch, range or compaction asked for history older than the store keeps.</summary>
public sealed class StoreCompactedException : StoreException
{
    public StoreCompactedException(long compactRevision)
        : base($"the requested revision has been compacted; the oldest available is {compactRevision}")
    {
        CompactRevision = compactRevision;
    }

    public StoreCompactedException()
    {
    }

    public StoreCompactedException(string message)
        : base(message)
    {
    }

    public StoreCompactedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The store's compaction point: the oldest revision a watch can start from.</summary>
    public long CompactRevision { get; }
}

/// <summary>A read or compaction named a revision the store has not reached yet (etcd: "required revision is a future revision").</summary>
public sealed class StoreFutureRevisionException : StoreException
{
    public StoreFutureRevisionException(long requestedRevision, long currentRevision)
        : base($"required revision {requestedRevision} is a future revision; the current revision is {currentRevision}")
    {
        RequestedRevision = requestedRevision;
        CurrentRevision = currentRevision;
    }

    public StoreFutureRevisionException()
    {
    }

    public StoreFutureRevisionException(string message)
        : base(message)
    {
    }

    public StoreFutureRevisionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The revision that was asked for.</summary>
    public long RequestedRevision { get; }

    /// <summary>The store's revision when the request was refused (0 when unknown).</summary>
    public long CurrentRevision { get; }
}

/// <summary>
/// A transaction put a key with a lease that does not exist (never granted, revoked or expired); etcd's
/// "requested lease not found". The whole transaction was refused: nothing was written.
/// </summary>
public sealed class StoreLeaseNotFoundException : StoreException
{
    public StoreLeaseNotFoundException(long leaseId)
        : base($"requested lease not found: {leaseId}")
    {
        LeaseId = leaseId;
    }

    public StoreLeaseNotFoundException()
    {
    }

    public StoreLeaseNotFoundException(string message)
        : base(message)
    {
    }

    public StoreLeaseNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The lease the put named.</summary>
    public long LeaseId { get; }
}

/// <summary>
/// A write request larger than the store takes (etcd's <c>--max-request-bytes</c>, 1.5 MiB by default), refused by
/// both stores before anything is written. The message names the largest record and the limit, never etcd's or
/// gRPC's own text.
/// </summary>
public sealed class StoreRequestTooLargeException : StoreException
{
    /// <summary>etcd's default <c>--max-request-bytes</c>: 1.5 MiB.</summary>
    public const int EtcdDefaultLimit = 1536 * 1024;

    public StoreRequestTooLargeException(string key, long requestBytes, long limitBytes)
        : base($"the write of {Describe(key)} is a request of {requestBytes} bytes, more than the store takes ({limitBytes} bytes)")
    {
        Key = key;
        RequestBytes = requestBytes;
        LimitBytes = limitBytes;
    }

    public StoreRequestTooLargeException()
    {
        Key = string.Empty;
    }

    public StoreRequestTooLargeException(string message)
        : base(message)
    {
        Key = string.Empty;
    }

    public StoreRequestTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
        Key = string.Empty;
    }

    /// <summary>The key of the largest record in the request.</summary>
    public string Key { get; }

    public long RequestBytes { get; }

    public long LimitBytes { get; }

    /// <summary>A key as an error message names it: whole when short, else its start, its length and its end.</summary>
    public static string Describe(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        const int Shown = 64;
        return key.Length <= 2 * Shown ? key : $"{key[..Shown]}...({key.Length} characters)...{key[^16..]}";
    }

    /// <summary>Throws when <paramref name="request"/> is larger than <paramref name="limitBytes"/>.</summary>
    public static void ThrowIfTooLarge(TxnRequest request, long limitBytes)
    {
        ArgumentNullException.ThrowIfNull(request);
        long size = request.EncodedSize();
        if (size > limitBytes)
        {
            throw new StoreRequestTooLargeException(request.LargestKey(), size, limitBytes);
        }
    }
}
