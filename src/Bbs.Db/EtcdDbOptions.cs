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
    [ConfigurationKeyName("max_txn_ops")]
    [Range(8, 100_000)]
    public int MaxTxnOps { get; set; } = 128;

    /// <summary>TTL of an evacuating record when the request carries none (NEW clients never send one).</summary>
    [ConfigurationKeyName("evacuation_ttl")]
    public TimeSpan DefaultEvacuationTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Records whose last known revision is kept so guarded writes can skip their read (0 disables).</summary>
    [ConfigurationKeyName("record_cache_size")]
    [Range(0, 10_000_000)]
    public int RecordCacheSize { get; set; } = 100_000;

    /// <summary>How often a guarded write re-reads and retries after losing a race before giving up.</summary>
    [ConfigurationKeyName("max_cas_attempts")]
    [Range(1, 1000)]
    public int MaxCasAttempts { get; set; } = 32;
}
