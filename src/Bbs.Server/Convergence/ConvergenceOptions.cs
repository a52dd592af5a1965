using System.ComponentModel;
namespace Bbs.Server.Convergence;

/// <summary>Convergence and leader-election settings, named as BBS's configuration keys (defaults: bbs-protocol.md §7, §9).</summary>
public sealed class ConvergenceOptions
{
    [Description("how often the leader converges LRPs and tasks")]
    [ConfigurationKeyName("converge_repeat_interval")]
    public TimeSpan ConvergeRepeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    [Description("pending or completed tasks idle this long are re-auctioned or called back again")]
    [ConfigurationKeyName("kick_task_duration")]
    public TimeSpan KickTaskDuration { get; set; } = TimeSpan.FromSeconds(30);

    [Description("pending tasks older than this fail")]
    [ConfigurationKeyName("expire_pending_task_duration")]
    public TimeSpan ExpirePendingTaskDuration { get; set; } = TimeSpan.FromMinutes(30);

    [Description("completed tasks older than this are deleted")]
    [ConfigurationKeyName("expire_completed_task_duration")]
    public TimeSpan ExpireCompletedTaskDuration { get; set; } = TimeSpan.FromSeconds(120);

    [Description("a run info without its scheduling info older than this is deleted by convergence")]
    [ConfigurationKeyName("desired_lrp_creation_timeout")]
    public TimeSpan DesiredLrpCreationTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>TTL of the leader's lease on <c>/v1/locks/bbs</c> (BBS: lock_ttl).</summary>
    [Description("TTL of the leader lease on /v1/locks/bbs")]
    [ConfigurationKeyName("lock_ttl")]
    public TimeSpan LockTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a follower retries the lock (BBS: lock_retry_interval); it also retries at once when the lock key goes away.</summary>
    [Description("how often a follower retries the lock")]
    [ConfigurationKeyName("lock_retry_interval")]
    public TimeSpan LockRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>This instance's id in the lock record (BBS: uuid); a fresh one per process when unset.</summary>
    [Description("this instance's id in the lock record (random when unset)")]
    [ConfigurationKeyName("uuid")]
    public string? Uuid { get; set; }

    /// <summary>The URL other components should use for this instance (BBS: advertise_url); recorded with the lock.</summary>
    [Description("this instance's URL, recorded with the lock")]
    [ConfigurationKeyName("advertise_url")]
    public string? AdvertiseUrl { get; set; }
}
