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
