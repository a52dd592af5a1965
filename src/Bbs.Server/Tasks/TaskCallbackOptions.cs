using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Bbs.Server.Tasks;

/// <summary>Task settings, bound from the <c>Bbs</c> section with BBS's key names.</summary>
public sealed class TaskOptions
{
    /// <summary>How many completion callbacks run at once (BBS: task_callback_workers, default 1000).</summary>
    [Description("completion callbacks in flight at once")]
    [ConfigurationKeyName("task_callback_workers")]
    [Range(1, 10_000)]
    public int CallbackWorkers { get; set; } = 1000;

    /// <summary>How many completed tasks may wait for a callback worker; beyond that convergence re-drives them.</summary>
    [Description("completed tasks that may wait for a callback worker")]
    [ConfigurationKeyName("task_callback_queue_capacity")]
    [Range(1, 1_000_000)]
    public int CallbackQueueCapacity { get; set; } = 10_000;

    /// <summary>Deadline of one callback POST (BBS: communication_timeout, 10s).</summary>
    [Description("deadline of one completion callback")]
    [ConfigurationKeyName("task_callback_timeout")]
    public TimeSpan CallbackTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many times a task may be rejected before it fails (BBS: max_task_retries, default 0).</summary>
    [Description("rejections a task survives before it fails")]
    [ConfigurationKeyName("max_task_retries")]
    [Range(0, 1000)]
    public int MaxTaskRetries { get; set; }
}
