using Bbs.Server.Tests.Support;

namespace Bbs.Server.Tests.Events;

/// <summary>No replay ring (event_replay_capacity 0): every resume is served from the store's history.</summary>
public sealed class EmbeddedBbsServerWithoutReplayRing : EmbeddedBbsServer
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = EventServerSettings.NoReplayRing;
}

/// <summary>No replay ring (event_replay_capacity 0): every resume is served from etcd's history.</summary>
public sealed class EtcdBbsServerWithoutReplayRing : EtcdBbsServer
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = EventServerSettings.NoReplayRing;
}

/// <summary>Subscribers may fall only 16 events behind (event_subscriber_buffer 16).</summary>
public sealed class EmbeddedBbsServerWithSmallEventBuffers : EmbeddedBbsServer
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = EventServerSettings.SmallBuffers;
}

/// <summary>Subscribers may fall only 16 events behind (event_subscriber_buffer 16).</summary>
public sealed class EtcdBbsServerWithSmallEventBuffers : EtcdBbsServer
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = EventServerSettings.SmallBuffers;
}

internal static class EventServerSettings
{
    public const int SubscriberBuffer = 16;

    public static readonly IReadOnlyDictionary<string, string?> NoReplayRing = new Dictionary<string, string?> { ["Bbs:event_replay_capacity"] = "0" };

    public static readonly IReadOnlyDictionary<string, string?> SmallBuffers = new Dictionary<string, string?>
    {
        ["Bbs:event_subscriber_buffer"] = SubscriberBuffer.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
