using Bbs.Client;
using Bbs.Server.Tests.Support;
using static Bbs.Server.Tests.Tasks.TaskTestSupport;
using State = Bbs.Models.Task.Types.State;

namespace Bbs.Server.Tests.Tasks;

/// <summary>A server on the embedded store that lets a task be rejected once before failing it (max_task_retries=1).</summary>
public sealed class EmbeddedBbsServerWithOneTaskRetry : EmbeddedBbsServer
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?> { ["Bbs:max_task_retries"] = "1" };
}

/// <summary>A server on a real etcd that lets a task be rejected once before failing it (max_task_retries=1).</summary>
public sealed class EtcdBbsServerWithOneTaskRetry : EtcdBbsServer
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?> { ["Bbs:max_task_retries"] = "1" };
}

/// <summary>bbs-protocol.md §10 case 24 with max_task_retries=1 (NEW's reject, decisions.md "Tasks").</summary>
public abstract class TaskRejectionTests<TServer>(TServer server)
    where TServer : BbsServer
{
    protected TServer Server { get; } = server;

    private BbsClient Client => Server.Client;

    [Fact]
    public async Task TheFirstRejectPutsTheTaskBackToPendingAndAuctionsItAgain()
    {
        var guid = await Server.DesirePendingAsync();
        await Server.Auctioneer.WaitForTaskAuctionAsync(guid);

        await Client.RejectTaskAsync(guid, "insufficient resources");

        var task = await Client.TaskByGuidAsync(guid);
        Assert.Equal(State.Pending, task.State);
        Assert.False(task.Failed);
        Assert.Equal(1, task.RejectionCount);
        Assert.Equal("insufficient resources", task.RejectionReason);
        await Server.Auctioneer.WaitUntilAsync(_ => Server.AuctionsFor(guid) >= 2, what: $"a second auction of {guid}");
    }

    [Fact]
    public async Task TheSecondRejectFailsTheTaskWithItsReason()
    {
        var guid = await Server.DesirePendingAsync();
        await Client.RejectTaskAsync(guid, "first");

        await Client.RejectTaskAsync(guid, "second");

        var task = await Client.TaskByGuidAsync(guid);
        Assert.Equal(State.Completed, task.State);
        Assert.True(task.Failed);
        Assert.Equal("second", task.FailureReason);
        Assert.True(task.FirstCompletedAt > 0);
    }

    [Fact]
    public async Task ARejectedRunningTaskCanBeStartedAgainOnAnotherCell()
    {
        var guid = await Server.DesireRunningAsync("cell-a");

        await Client.RejectTaskAsync(guid, "container creation failed");

        Assert.Equal(State.Pending, (await Client.TaskByGuidAsync(guid)).State);
        Assert.True(await Client.StartTaskAsync(guid, "cell-b"));
        var task = await Client.TaskByGuidAsync(guid);
        Assert.Equal(State.Running, task.State);
        Assert.Equal("cell-b", task.CellId);
        Assert.Equal(1, task.RejectionCount);
    }
}

public sealed class EmbeddedTaskRejectionTests(EmbeddedBbsServerWithOneTaskRetry server)
    : TaskRejectionTests<EmbeddedBbsServerWithOneTaskRetry>(server), IClassFixture<EmbeddedBbsServerWithOneTaskRetry>;

public sealed class EtcdTaskRejectionTests(EtcdBbsServerWithOneTaskRetry server)
    : TaskRejectionTests<EtcdBbsServerWithOneTaskRetry>(server), IClassFixture<EtcdBbsServerWithOneTaskRetry>;
