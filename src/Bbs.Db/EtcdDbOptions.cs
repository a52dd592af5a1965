using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Bbs.Db;

/// <summary>Tuning of <see cref="EtcdDb"/>.</summary>
public sealed class EtcdDbOptions
{
    /// <summary>
    /// The most operations (and compares) one etcd transaction may carry: etcd's <c>--max-txn-ops</c>
    /// (default 128). Writes that need more (desiring thousands of instances) are split at that size.
    /// </summary>
    [Description("etcd's --max-txn-ops; larger writes are split")]
    [ConfigurationKeyName("max_txn_ops")]
    [Range(8, 100_000)]
    public int MaxTxnOps { get; set; } = 128;

    /// <summary>TTL of an evacuating record when the request carries none (NEW clients never send one).</summary>
    [Description("lease of an evacuating record when the request carries no TTL")]
    [ConfigurationKeyName("evacuation_ttl")]
    public TimeSpan DefaultEvacuationTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Records whose last known revision is kept so guarded writes can skip their read (0 disables).</summary>
    [Description("records whose last written revision is kept so guarded writes skip their read (0: off)")]
    [ConfigurationKeyName("record_cache_size")]
    [Range(0, 10_000_000)]
    public int RecordCacheSize { get; set; } = 100_000;

    /// <summary>
    /// The largest record (as stored: envelope included) a write may put. etcd refuses requests over its
    /// <c>--max-request-bytes</c> (1.5 MiB by default) with gRPC's own text; a record over this limit is refused
    /// before the store, as <c>InvalidRequest</c> naming the record and the limit. The default leaves room for
    /// the rest of a transaction under etcd's default.
    /// </summary>
    [Description("the largest record a write may store; a larger one is refused as InvalidRequest")]
    [ConfigurationKeyName("max_record_bytes")]
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxRecordBytes { get; set; } = 1024 * 1024;

    /// <summary>How often a guarded write re-reads and retries after losing a race before giving up.</summary>
    [Description("how often a guarded write retries after losing a race")]
    [ConfigurationKeyName("max_cas_attempts")]
    [Range(1, 1000)]
    public int MaxCasAttempts { get; set; } = 32;
}
