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

    /// <summary>CA bundle, PEM, reps' server certificates must chain to (NEW: rep_ca_cert). With the client certificate and key, https:// reps are called over mutual TLS.</summary>
    [ConfigurationKeyName("rep_ca_cert")]
    [Description("PEM CA bundle the reps' certificates must chain to (with rep_client_cert and rep_client_key: mutual TLS to https:// rep_url)")]
    public string? CaCert { get; set; }

    /// <summary>Client certificate presented to reps, PEM (NEW: rep_client_cert).</summary>
    [ConfigurationKeyName("rep_client_cert")]
    [Description("PEM client certificate presented to reps")]
    public string? ClientCert { get; set; }

    /// <summary>Private key of <see cref="ClientCert"/>, PEM (NEW: rep_client_key).</summary>
    [ConfigurationKeyName("rep_client_key")]
    [Description("PEM key of rep_client_cert")]
    public string? ClientKey { get; set; }

    /// <summary>
    /// Whether every rep must be called over TLS, at its https:// <c>rep_url</c> (true: a cell without one is not
    /// called), or a cell that presents no <c>rep_url</c> is called at its plain-HTTP <c>rep_address</c> (false, NEW's
    /// rep client's rule). True needs the TLS credentials.
    /// </summary>
    [ConfigurationKeyName("rep_require_tls")]
    [Description("true: call reps only at their https:// rep_url; false: a cell without rep_url is called at its plain-HTTP rep_address")]
    public bool RequireTls { get; set; }

    /// <summary>True when any of the TLS settings is given (the validator requires all three together).</summary>
    public bool HasTlsCredentials => CaCert is not null || ClientCert is not null || ClientKey is not null;
}
