namespace Bbs.Client.Events;

/// <summary>How a <see cref="BbsEventStream"/> connects and reconnects.</summary>
public sealed record BbsEventStreamOptions
{
    /// <summary>
    /// Where to resume: sent as <c>Last-Event-ID</c> on the first connection, so a reader that kept the
    /// <see cref="BbsEventStream.LastEventId"/> of an earlier stream gets exactly what it missed since. Null: from now.
    /// </summary>
    public string? LastEventId { get; init; }

    /// <summary>
    /// Connection attempts in a row, counting the first, before the stream gives up (Diego's client uses its retry
    /// count, 3). Only transport failures, attempt timeouts and 5xx answers are retried; the count starts again
    /// whenever a connection is established.
    /// </summary>
    public int MaxAttempts { get; init; } = BbsClientOptions.DefaultRetries;

    /// <summary>The pause before each reconnection (go-sse's default retry interval); a <c>retry:</c> field from the server overrides it.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one attempt may wait for the response headers. Zero or infinite: no limit of our own.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    internal bool HasConnectTimeout => ConnectTimeout > TimeSpan.Zero && ConnectTimeout != Timeout.InfiniteTimeSpan;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryDelay, TimeSpan.Zero, nameof(RetryDelay));
        if (ConnectTimeout < TimeSpan.Zero && ConnectTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), ConnectTimeout, "must not be negative");
        }

        if (LastEventId is { } id && (id.Contains('\r', StringComparison.Ordinal) || id.Contains('\n', StringComparison.Ordinal)))
        {
            throw new ArgumentException("LastEventId must not contain line breaks.", nameof(LastEventId));
        }
    }
}
