using System.ComponentModel;
using Microsoft.Extensions.Configuration;

namespace Bbs.Peers;

/// <summary>How the BBS calls cell reps (stop an instance, cancel a task). Bound from the server's configuration section.</summary>
public sealed record RepClientOptions
{
    /// <summary>Deadline of one HTTP attempt (BBS: communication_timeout, 10s).</summary>
    [Description("deadline of one call to the auctioneer or a rep")]
    [ConfigurationKeyName("communication_timeout")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Retries after a failed attempt (transport error, timeout, 5xx, 408, 429); 0 disables retrying. Kept low
    /// because callers such as RetireActualLRP make several attempts of their own.
    /// </summary>
    [Description("retries of a failed rep call")]
    [ConfigurationKeyName("rep_max_retries")]
    public int MaxRetries { get; set; } = 2;

    /// <summary>First retry delay; it doubles with each retry, with jitter.</summary>
    [Description("first retry delay of a rep call (doubles, with jitter)")]
    [ConfigurationKeyName("rep_retry_base_delay")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);
}
