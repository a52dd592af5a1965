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

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A watch asked for history older than the store keeps.</summary>
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
