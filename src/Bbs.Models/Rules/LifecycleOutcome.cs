namespace Bbs.Models.Rules;

/// <summary>
/// What a lifecycle rule decided about one record: write <see cref="Record"/>, do nothing
/// (<see cref="IsNoOp"/>), or answer <see cref="Error"/>.
/// </summary>
public sealed record LifecycleOutcome<TRecord>
    where TRecord : class
{
    private LifecycleOutcome(TRecord? record, Error? error, bool auctionNeeded)
    {
        Record = record;
        Error = error;
        AuctionNeeded = auctionNeeded;
    }

    /// <summary>The record to store (for a delete, the record to remove); null on a no-op or a refusal.</summary>
    public TRecord? Record { get; }

    /// <summary>The BBS error to answer; null when the operation is allowed.</summary>
    public Error? Error { get; }

    /// <summary>The instance went back to UNCLAIMED and a start auction must be requested for it.</summary>
    public bool AuctionNeeded { get; }

    /// <summary>Allowed, and the stored record already says so: nothing to write, no event.</summary>
    public bool IsNoOp => Record is null && Error is null;

    public bool IsChanged => Record is not null;

    public static LifecycleOutcome<TRecord> Changed(TRecord record, bool auctionNeeded = false) => new(record, null, auctionNeeded);

    public static LifecycleOutcome<TRecord> NoOp() => new(null, null, false);

    public static LifecycleOutcome<TRecord> Refused(Error error) => new(null, error, false);
}
