using Bbs.Client;
using Bbs.Server.Tests.Support;
using static Bbs.Server.Tests.Tasks.TaskTestSupport;
using State = Bbs.Models.Task.Types.State;

namespace Bbs.Server.Tests.Tasks;

/// <summary>
/// bbs-protocol.md §10 case 26 and §7's task convergence (E16 rules), one pass at a time through
/// <c>/v1/tasks/converge</c> with the converger's default durations (kick 30 s, expire pending 30 min,
/// expire completed 120 s). Tasks are aged by rewriting their times in the store, as BBS's own tests write
/// fixtures; tasks of other tests share the server, so each test asserts on its own tasks only.
/// </summary>
public abstract class TaskConvergenceTests<TServer>(TServer server)
    where TServer : BbsServer
{
    private static readonly TimeSpan Kick = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ExpirePending = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan ExpireCompleted = TimeSpan.FromSeconds(120);

    protected TServer Server { get; } = server;

    private BbsClient Client => Server.Client;

    [Fact]
    public async Task ARunningTaskWhoseCellIsAbsentFailsAsCellDisappeared()
    {
        var guid = await Server.DesireRunningAsync(NewCellId());

        await ConvergeAsync();

        var task = await Client.TaskByGuidAsync(guid);
        Assert.Equal(State.Completed, task.State);
        Assert.True(task.Failed);
        Assert.Equal("cell disappeared before completion", task.FailureReason);
        Assert.Equal(string.Empty, task.CellId);
        Assert.True(task.FirstCompletedAt > 0);
    }

    [Fact]
    public async Task ARunningTaskOnAPresentCellIsLeftAlone()
    {
        var cell = NewCellId();
        await Server.RegisterCellAsync(cell);
        var guid = await Server.DesireRunningAsync(cell);
        var before = await Client.TaskByGuidAsync(guid);

        await ConvergeAsync();

        Assert.Equal(before, await Client.TaskByGuidAsync(guid));
    }

    [Fact]
    public async Task APendingTaskOlderThanExpirePendingFailsAsNotStartedInTime()
    {
        var guid = await Server.DesirePendingAsync();
        var old = UnixNanos(DateTimeOffset.UtcNow - ExpirePending - TimeSpan.FromMinutes(1));
        await Server.RewriteTaskAsync(guid, t => (t.CreatedAt, t.UpdatedAt) = (old, old));

        await ConvergeAsync();

        var task = await Client.TaskByGuidAsync(guid);
        Assert.Equal(State.Completed, task.State);
        Assert.True(task.Failed);
        Assert.Equal("not started within time limit", task.FailureReason);
        Assert.True(task.FirstCompletedAt > old);
    }

    [Fact]
    public async Task APendingTaskYoungerThanExpirePendingStaysPending()
    {
        var guid = await Server.DesirePendingAsync();

        await ConvergeAsync();

        Assert.Equal(State.Pending, (await Client.TaskByGuidAsync(guid)).State);
    }

    [Fact]
    public async Task APendingTaskExpiresWithATinyExpirePendingDuration()
    {
        var guid = await Server.DesirePendingAsync();
        await Task.Delay(50);

        await Client.ConvergeTasksAsync(Kick, TimeSpan.FromMilliseconds(10), ExpireCompleted);

        var task = await Client.TaskByGuidAsync(guid);
        Assert.Equal(State.Completed, task.State);
        Assert.Equal("not started within time limit", task.FailureReason);
    }

    [Fact]
    public async Task APendingTaskIdleForLongerThanKickIsAuctionedAgain()
    {
        var guid = await Server.DesirePendingAsync();
        await Server.Auctioneer.WaitForTaskAuctionAsync(guid);
        var idle = UnixNanos(DateTimeOffset.UtcNow - Kick - TimeSpan.FromSeconds(5));
        await Server.RewriteTaskAsync(guid, t => (t.CreatedAt, t.UpdatedAt) = (idle, idle));

        await ConvergeAsync();

        await Server.Auctioneer.WaitUntilAsync(_ => Server.AuctionsFor(guid) >= 2, what: $"a second auction of {guid}");
        Assert.Equal(State.Pending, (await Client.TaskByGuidAsync(guid)).State);
    }

    [Fact]
    public async Task ACompletedTaskOlderThanExpireCompletedIsDeleted()
    {
        var guid = await Server.DesireCompletedAsync();
        var old = UnixNanos(DateTimeOffset.UtcNow - ExpireCompleted - TimeSpan.FromSeconds(10));
        await Server.RewriteTaskAsync(guid, t => (t.FirstCompletedAt, t.UpdatedAt) = (old, old));

        await ConvergeAsync();

        Assert.Null(await Server.TryGetAsync(guid));
    }

    [Fact]
    public async Task ACompletedTaskYoungerThanExpireCompletedIsKept()
    {
        var guid = await Server.DesireCompletedAsync();
        var before = await Client.TaskByGuidAsync(guid);

        await ConvergeAsync();

        Assert.Equal(before, await Client.TaskByGuidAsync(guid));
    }

    [Fact]
    public async Task AResolvingTaskIdleForLongerThanKickIsDemotedToCompleted()
    {
        var guid = await Server.DesireCompletedAsync();
        await Client.ResolvingTaskAsync(guid);
        var idle = UnixNanos(DateTimeOffset.UtcNow - Kick - TimeSpan.FromSeconds(5));
        await Server.RewriteTaskAsync(guid, t => t.UpdatedAt = idle);

        await ConvergeAsync();

        var task = await Client.TaskByGuidAsync(guid);
        Assert.Equal(State.Completed, task.State);
        Assert.Equal("x", task.Result);
    }

    private Task ConvergeAsync() => Client.ConvergeTasksAsync(Kick, ExpirePending, ExpireCompleted);
}

public sealed class EmbeddedTaskConvergenceTests(EmbeddedBbsServer server) : TaskConvergenceTests<EmbeddedBbsServer>(server), IClassFixture<EmbeddedBbsServer>;

public sealed class EtcdTaskConvergenceTests(EtcdBbsServer server) : TaskConvergenceTests<EtcdBbsServer>(server), IClassFixture<EtcdBbsServer>;
