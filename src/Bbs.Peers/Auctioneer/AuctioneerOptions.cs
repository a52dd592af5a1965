using System.ComponentModel;
using Microsoft.Extensions.Configuration;

namespace Bbs.Peers;

/// <summary>
/// How the BBS reaches the auctioneer and batches its auction requests. Bound from the server's configuration
/// section; keys follow BBS's own configuration where one exists (<c>auctioneer_address</c>, <c>communication_timeout</c>).
/// </summary>
public sealed record AuctioneerOptions
{
    /// <summary>
    /// Base URL of the auctioneer, e.g. <c>http://auctioneer.service.cf.internal:9016</c> (BBS: auctioneer_address).
    /// Null or empty means no auctioneer: requests are logged and counted, never sent.
    /// </summary>
    [Description("the auctioneer's base URL; without it auction requests are logged and counted, not sent")]
    [ConfigurationKeyName("auctioneer_address")]
    public string? Address { get; set; }

    /// <summary>How long the requester collects requests before it sends them as one POST.</summary>
    [Description("how long auction requests are collected into one batch")]
    [ConfigurationKeyName("auction_batch_window")]
    public TimeSpan BatchWindow { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>A batch is sent at once when it holds this many start requests, LRP and task together.</summary>
    [Description("a batch is sent at once when it holds this many start requests")]
    [ConfigurationKeyName("auction_max_batch_size")]
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>Start requests queued for the auctioneer at most; beyond that they wait <see cref="QueueFullWait"/>, then are dropped.</summary>
    [Description("start requests queued for the auctioneer at most")]
    [ConfigurationKeyName("auction_queue_capacity")]
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>How long a request waits for room in a full queue before it is dropped.</summary>
    [Description("how long a request waits for room in a full queue before it is dropped")]
    [ConfigurationKeyName("auction_queue_full_wait")]
    public TimeSpan QueueFullWait { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Deadline of one HTTP attempt (BBS: communication_timeout, 10s).</summary>
    [Description("deadline of one call to the auctioneer or a rep")]
    [ConfigurationKeyName("communication_timeout")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after a failed attempt (transport error, timeout, 5xx, 408, 429); 0 disables retrying.</summary>
    [Description("retries of a failed auctioneer call")]
    [ConfigurationKeyName("auctioneer_max_retries")]
    public int MaxRetries { get; set; } = 3;

    /// <summary>First retry delay; it doubles with each retry, with jitter.</summary>
    [Description("first retry delay of an auctioneer call (doubles, with jitter)")]
    [ConfigurationKeyName("auctioneer_retry_base_delay")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>CA bundle, PEM, the auctioneer's server certificate must chain to (NEW: auctioneer_ca_cert). With the client certificate and key, calls use mutual TLS.</summary>
    [ConfigurationKeyName("auctioneer_ca_cert")]
    [Description("PEM CA bundle the auctioneer's certificate must chain to (with auctioneer_client_cert and auctioneer_client_key: mutual TLS)")]
    public string? CaCert { get; set; }

    /// <summary>Client certificate presented to the auctioneer, PEM (NEW: auctioneer_client_cert).</summary>
    [ConfigurationKeyName("auctioneer_client_cert")]
    [Description("PEM client certificate presented to the auctioneer")]
    public string? ClientCert { get; set; }

    /// <summary>Private key of <see cref="ClientCert"/>, PEM (NEW: auctioneer_client_key).</summary>
    [ConfigurationKeyName("auctioneer_client_key")]
    [Description("PEM key of auctioneer_client_cert")]
    public string? ClientKey { get; set; }

    /// <summary>
    /// With TLS credentials, whether a call that fails over TLS may be tried again over plain HTTP on the same host
    /// and port (false, NEW's default, for auctioneers not yet on TLS) or fails (true). True needs the credentials
    /// and an https:// <see cref="Address"/>.
    /// </summary>
    [ConfigurationKeyName("auctioneer_require_tls")]
    [Description("true: never fall back to plain HTTP when a TLS call to the auctioneer fails")]
    public bool RequireTls { get; set; }

    /// <summary>True when any of the TLS settings is given (the validator requires all three together).</summary>
    public bool HasTlsCredentials => CaCert is not null || ClientCert is not null || ClientKey is not null;

    /// <summary>True when an auctioneer address is set.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Address);
}
