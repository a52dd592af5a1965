namespace Bbs.Faults;

/// <summary>The size and pace of one fault run. The defaults are the full run; <see cref="Short"/> is the CI one.</summary>
public sealed record FaultOptions
{
    /// <summary>Bbs.Server processes on the etcd cluster.</summary>
    public int Servers { get; init; } = 3;

    /// <summary>Steady load before the first fault, and the settling time after each fault's recovery.</summary>
    public TimeSpan Phase { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a killed part stays down, and how long connections are dropped.</summary>
    public TimeSpan Hold { get; init; } = TimeSpan.FromSeconds(8);

    public TimeSpan LockTtl { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan LockRetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Writers each running desire/claim/start/crash/evacuate/retire/remove rounds on LRPs of their own.</summary>
    public int LrpWriters { get; init; } = 3;

    /// <summary>Writers each running desire/start/complete/resolving/delete on tasks of their own.</summary>
    public int TaskWriters { get; init; } = 2;

    /// <summary>SSE readers: LRP streams (events.r1) and task streams; each resumes with Last-Event-ID.</summary>
    public int LrpReaders { get; init; } = 2;

    public int TaskReaders { get; init; } = 1;

    /// <summary>A writer's pause between requests (the request rate's knob).</summary>
    public TimeSpan Pace { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>The share of answers a <see cref="Cluster.DropProxy"/> drops during the connection-drop fault.</summary>
    public double DropProbability { get; init; } = 0.2;

    /// <summary>Which faults run, in order (all by default).</summary>
    public IReadOnlyList<FaultKind> Faults { get; init; } = Enum.GetValues<FaultKind>();

    /// <summary>The CI run: 2 servers, short phases, lock_ttl 2 s, a modest request rate.</summary>
    public static FaultOptions Short { get; } = new()
    {
        Servers = 2,
        Phase = TimeSpan.FromSeconds(3),
        Hold = TimeSpan.FromSeconds(3),
        LockTtl = TimeSpan.FromSeconds(2),
        LockRetryInterval = TimeSpan.FromSeconds(1),
        LrpWriters = 2,
        TaskWriters = 1,
        LrpReaders = 2,
        TaskReaders = 1,
        Pace = TimeSpan.FromMilliseconds(40),
    };

    /// <summary>What a takeover may take: the lock's lease runs out, then a follower's next attempt wins.</summary>
    public TimeSpan TakeoverBound => LockTtl + LockRetryInterval;
}

/// <summary>The faults, in the order a run applies them.</summary>
public enum FaultKind
{
    /// <summary>SIGKILL an etcd member that does not lead raft; start it again after the hold.</summary>
    EtcdFollowerKill,

    /// <summary>SIGKILL the etcd raft leader; start it again after the hold.</summary>
    EtcdLeaderKill,

    /// <summary>SIGKILL all three etcd members, then start them together.</summary>
    EtcdRestartAll,

    /// <summary>SIGKILL the Bbs holding the lock; start it again after the hold.</summary>
    BbsLeaderKill,

    /// <summary>SIGKILL a Bbs that does not hold the lock; start it again after the hold.</summary>
    BbsFollowerKill,

    /// <summary>SIGSTOP the Bbs holding the lock for longer than lock_ttl, then SIGCONT.</summary>
    BbsLeaderStop,

    /// <summary>Cut client connections after the request was relayed and before the answer; the client replays.</summary>
    ConnectionDrop,
}
