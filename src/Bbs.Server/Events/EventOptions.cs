using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Bbs.Server.Events;

/// <summary>Event stream settings, bound from the <c>Bbs</c> section.</summary>
public sealed class EventOptions
{
    /// <summary>Events a subscriber may fall behind by before it is disconnected as a slow consumer (BBS: 1024).</summary>
    [Description("events a stream may fall behind before it is disconnected")]
    [ConfigurationKeyName("event_subscriber_buffer")]
    [Range(1, 1_000_000)]
    public int SubscriberBuffer { get; set; } = 1024;

    /// <summary>
    /// Recent events kept in memory for resuming clients; a client that resumes from further back is served
    /// from the store's history (etcd's, until compaction).
    /// </summary>
    [Description("recent events kept in memory for resuming streams")]
    [ConfigurationKeyName("event_replay_capacity")]
    [Range(0, 10_000_000)]
    public int ReplayCapacity { get; set; } = 10_000;
}
