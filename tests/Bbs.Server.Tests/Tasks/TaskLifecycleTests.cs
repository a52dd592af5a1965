using Bbs.Client;
using Bbs.Models;
using Bbs.Server.Tests.Support;
using static Bbs.Server.Tests.Api.ApiSupport;
using static Bbs.Server.Tests.Tasks.TaskTestSupport;
using TestModels = Bbs.Server.Tests.Support.Models;
using ErrorType = Bbs.Models.Error.Types.Type;
using State = Bbs.Models.Task.Types.State;

namespace Bbs.Server.Tests.Tasks;

/// <summary>
/// bbs-protocol.md §10 cases 21-24 (reject with the default max_task_retries=0) and the task getters of §1,
/// through real HTTP with Diego's protobuf wire form (§12's observed bytes where they are known).
/// </summary>
public abstract class TaskLifecycleTests<TServer>(TServer server)
    where TServer : BbsServer
{
    private const string NotFound = "the requested resource could not be found";

    protected TServer Server { get; } = server;

    private BbsClient Client => Server.Client;

    // Case 21: the happy path, one transition per test.

    [Fact]
    public async Task DesiringATaskMakesItPendingAndRequestsItsAuction()
    {
        var guid = NewTaskGuid();
        var definition = Definition(annotation: "note");

        await Client.DesireTaskAsync(guid, TestModels.Domain, definition);

        var task = await Client.TaskByGuidAsync(guid);
        Assert.Equal(State.Pending, task.State);
        Assert.Equal(guid, task.TaskGuid);
        Assert.Equal(TestModels.Domain, task.Domain);
        Assert.Equal(definition, task.TaskDefinition);
        Assert.Equal(string.Empty, task.CellId);
        Assert.InRange(task.CreatedAt, NowUnixNanos() - (long)60e9, NowUnixNanos());
        Assert.Equal(task.CreatedAt, task.UpdatedAt);
        Assert.Equal(0, task.FirstCompletedAt);
        await Server.Auctioneer.WaitForTaskAuctionAsync(guid);
        Assert.Equal(TestModels.Domain, Server.Auctioneer.AcceptedTaskAuctions.First(a => a.TaskGuid == guid).Domain);
    }

    [Fact]
    public async Task StartingAPendingTaskRunsItOnThatCellAndAnswersShouldStartAsTenOne()
    {
        var guid = await Server.DesirePendingAsync();
        var before = await Client.TaskByGuidAsync(guid);

        var body = await Server.RawAsync("/v1/tasks/start", new StartTaskRequest { TaskGuid = guid, CellId = "cell-a" });

        Assert.Equal(new byte[] { 0x10, 0x01 }, body);
        var task = await Client.TaskByGuidAsync(guid);
        Assert.Equal(State.Running, task.State);
        Assert.Equal("cell-a", task.CellId);
        Assert.True(task.UpdatedAt >= before.UpdatedAt);
        Assert.Equal(before.CreatedAt, task.CreatedAt);
    }

    [Fact]
    public async Task StartingAPendingTaskThroughTheClientReturnsShouldStart()
    {
        var guid = await Server.DesirePendingAsync();

        Assert.True(await Client.StartTaskAsync(guid, "cell-a"));
    }

    [Fact]
    public async Task StartingAgainOnTheSameCellIsANoOpWithAnEmptyBody()
    {
        var guid = await Server.DesireRunningAsync("cell-a");
        var running = await Client.TaskByGuidAsync(guid);

        var body = await Server.RawAsync("/v1/tasks/start", new StartTaskRequest { TaskGuid = guid, CellId = "cell-a" });

        Assert.Empty(body);
        Assert.False(await Client.StartTaskAsync(guid, "cell-a"));
        Assert.Equal(running, await Client.TaskByGuidAsync(guid));
    }

    [Fact]
    public async Task CompletingARunningTaskRecordsTheResultAndClearsTheCell()
    {
        var guid = await Server.DesireRunningAsync("cell-a");

        await Client.CompleteTaskAsync(guid, "cell-a", failed: false, failureReason: "", result: "x");

        var task = await Client.TaskByGuidAsync(guid);
        Assert.Equal(State.Completed, task.State);
        Assert.False(task.Failed);
        Assert.Equal(string.Empty, task.FailureReason);
        Assert.Equal("x", task.Result);
        Assert.Equal(string.Empty, task.CellId);
        Assert.True(task.FirstCompletedAt > 0);
        Assert.Equal(task.FirstCompletedAt, task.UpdatedAt);
    }

    [Fact]
    public async Task CompletingAsFailedRecordsTheFailureReason()
    {
        var guid = await Server.DesireRunningAsync("cell-a");

        await Client.CompleteTaskAsync(guid, "cell-a", failed: true, failureReason: "exit status 1", result: "");

        var task = await Client.TaskByGuidAsync(guid);
        Assert.Equal(State.Completed, task.State);
        Assert.True(task.Failed);
        Assert.Equal("exit status 1", task.FailureReason);
    }

    [Fact]
    public async Task ResolvingACompletedTaskMakesItResolving()
    {
        var guid = await Server.DesireCompletedAsync();
        var completed = await Client.TaskByGuidAsync(guid);

        await Client.ResolvingTaskAsync(guid);

        var task = await Client.TaskByGuidAsync(guid);
        Assert.Equal(State.Resolving, task.State);
        Assert.Equal("x", task.Result);
        Assert.Equal(completed.FirstCompletedAt, task.FirstCompletedAt);
    }

    [Fact]
    public async Task DeletingAResolvingTaskRemovesIt()
    {
        var guid = await Server.DesireCompletedAsync();
        await Client.ResolvingTaskAsync(guid);

        await Client.DeleteTaskAsync(guid);

        await ThrowsBbsAsync(() => Client.TaskByGuidAsync(guid), ErrorType.ResourceNotFound, NotFound);
        Assert.DoesNotContain(await Client.TasksAsync(), t => t.TaskGuid == guid);
    }

    // Listing and getting.

    [Fact]
    public async Task ListingFiltersByDomainAndByCell()
    {
        var domain = TestModels.NewGuid("domain");
        var otherDomain = TestModels.NewGuid("domain");
        var cell = NewCellId();
        var pendingInDomain = await Server.DesirePendingAsync(domain);
        var runningInDomain = await Server.DesireRunningAsync(cell, domain);
        var runningElsewhere = await Server.DesireRunningAsync(cell, otherDomain);

        Assert.Equal(
            new[] { pendingInDomain, runningInDomain }.Order(),
            (await Client.TasksAsync(new TaskFilter(Domain: domain))).Select(t => t.TaskGuid).Order());
        Assert.Equal(
            new[] { runningInDomain, runningElsewhere }.Order(),
            (await Client.TasksAsync(new TaskFilter(CellId: cell))).Select(t => t.TaskGuid).Order());
        Assert.Equal(new[] { runningInDomain }, (await Client.TasksAsync(new TaskFilter(domain, cell))).Select(t => t.TaskGuid));
        var all = (await Client.TasksAsync()).Select(t => t.TaskGuid).ToList();
        Assert.Contains(pendingInDomain, all);
        Assert.Contains(runningInDomain, all);
        Assert.Contains(runningElsewhere, all);
    }

    [Theory]
    [InlineData("/v1/tasks/list")]
    [InlineData("/v1/tasks/list.r1")]
    [InlineData("/v1/tasks/list.r2")]
    [InlineData("/v1/tasks/list.r3")]
    public async Task EveryRevisionOfTheListAnswersTheSameTasks(string path)
    {
        var domain = TestModels.NewGuid("domain");
        var guid = await Server.DesirePendingAsync(domain);
        var expected = await Client.TaskByGuidAsync(guid);

        var answer = TasksResponse.Parser.ParseFrom(await Server.RawAsync(path, new TasksRequest { Domain = domain }));

        Assert.Null(answer.Error);
        Assert.Equal(new[] { expected }, answer.Tasks);
    }

    [Theory]
    [InlineData("GET", "/v1/tasks/get_by_task_guid")]
    [InlineData("POST", "/v1/tasks/get_by_task_guid")]
    [InlineData("POST", "/v1/tasks/get_by_task_guid.r1")]
    [InlineData("POST", "/v1/tasks/get_by_task_guid.r2")]
    [InlineData("POST", "/v1/tasks/get_by_task_guid.r3")]
    [InlineData("GET", "/v1/tasks/get_by_task_guid.r3")]
    public async Task EveryRevisionOfTheGetterAnswersTheSameTask(string method, string path)
    {
        var guid = await Server.DesireRunningAsync("cell-a");
        var expected = await Client.TaskByGuidAsync(guid);

        var answer = TaskResponse.Parser.ParseFrom(await Server.RawAsync(path, new TaskByGuidRequest { TaskGuid = guid }, new HttpMethod(method)));

        Assert.Null(answer.Error);
        Assert.Equal(expected, answer.Task);
    }

    [Fact]
    public async Task GettingAMissingTaskWithABodyOnGetAnswersResourceNotFoundOnTheWire()
    {
        var body = await Server.RawAsync("/v1/tasks/get_by_task_guid", new TaskByGuidRequest { TaskGuid = NewTaskGuid() }, HttpMethod.Get);

        Assert.Equal(ErrorOnlyBytes(13, NotFound), body);
    }

    // Case 22: errors, each with BBS's type and text.

    [Fact]
    public async Task DesiringADuplicateGuidIsResourceExists()
    {
        var guid = await Server.DesirePendingAsync();

        await ThrowsBbsAsync(() => Client.DesireTaskAsync(guid, TestModels.Domain, Definition()), ErrorType.ResourceExists, "the requested resource already exists");
        Assert.Equal(State.Pending, (await Client.TaskByGuidAsync(guid)).State);
    }

    [Fact]
    public async Task StartingFromAnotherCellWhileRunningIsAnInvalidTransition()
    {
        var guid = await Server.DesireRunningAsync("cell-a");

        var body = await Server.RawAsync("/v1/tasks/start", new StartTaskRequest { TaskGuid = guid, CellId = "cell-b" });

        Assert.Equal(ErrorOnlyBytes(9, "Cannot transition from Running to Running"), body);
        await ThrowsBbsAsync(() => Client.StartTaskAsync(guid, "cell-b"), ErrorType.InvalidStateTransition, "Cannot transition from Running to Running");
        Assert.Equal("cell-a", (await Client.TaskByGuidAsync(guid)).CellId);
    }

    [Fact]
    public async Task CompletingFromAnotherCellIsRunningOnDifferentCell()
    {
        var guid = await Server.DesireRunningAsync("cell-a");

        var body = await Server.RawAsync("/v1/tasks/complete", new CompleteTaskRequest { TaskGuid = guid, CellId = "cell-b", Result = "x" });

        Assert.Equal(ErrorOnlyBytes(24, "Running on cell cell-a not cell-b"), body);
        await ThrowsBbsAsync(() => Client.CompleteTaskAsync(guid, "cell-b", false, "", "x"), ErrorType.RunningOnDifferentCell, "Running on cell cell-a not cell-b");
        var task = await Client.TaskByGuidAsync(guid);
        Assert.Equal(State.Running, task.State);
        Assert.Equal("cell-a", task.CellId);
    }

    [Fact]
    public async Task CompletingAPendingTaskIsAnInvalidTransition()
    {
        var guid = await Server.DesirePendingAsync();

        await ThrowsBbsAsync(() => Client.CompleteTaskAsync(guid, "cell-a", false, "", "x"), ErrorType.InvalidStateTransition, "Cannot transition from Pending to Completed");
        Assert.Equal(State.Pending, (await Client.TaskByGuidAsync(guid)).State);
    }

    [Fact]
    public async Task ResolvingARunningTaskIsAnInvalidTransition()
    {
        var guid = await Server.DesireRunningAsync("cell-a");

        await ThrowsBbsAsync(() => Client.ResolvingTaskAsync(guid), ErrorType.InvalidStateTransition, "Cannot transition from Running to Resolving");
    }

    [Fact]
    public async Task DeletingARunningTaskIsAnInvalidTransitionToResolving()
    {
        var guid = await Server.DesireRunningAsync("cell-a");

        var body = await Server.RawAsync("/v1/tasks/delete", new TaskGuidRequest { TaskGuid = guid });

        Assert.Equal(ErrorOnlyBytes(9, "Cannot transition from Running to Resolving"), body);
        Assert.Equal(State.Running, (await Client.TaskByGuidAsync(guid)).State);
    }

    [Fact]
    public async Task DeletingACompletedTaskIsAnInvalidTransitionToResolving()
    {
        var guid = await Server.DesireCompletedAsync();

        await ThrowsBbsAsync(() => Client.DeleteTaskAsync(guid), ErrorType.InvalidStateTransition, "Cannot transition from Completed to Resolving");
        Assert.Equal(State.Completed, (await Client.TaskByGuidAsync(guid)).State);
    }

    [Fact]
    public async Task CancellingACompletedTaskIsAnInvalidTransition()
    {
        var guid = await Server.DesireCompletedAsync();

        await ThrowsBbsAsync(() => Client.CancelTaskAsync(guid), ErrorType.InvalidStateTransition, "Cannot transition from Completed to Completed");
        var task = await Client.TaskByGuidAsync(guid);
        Assert.False(task.Failed);
        Assert.Equal("x", task.Result);
    }

    [Fact]
    public async Task CancellingAResolvingTaskIsAnInvalidTransition()
    {
        var guid = await Server.DesireCompletedAsync();
        await Client.ResolvingTaskAsync(guid);

        await ThrowsBbsAsync(() => Client.CancelTaskAsync(guid), ErrorType.InvalidStateTransition, "Cannot transition from Resolving to Completed");
    }

    [Fact]
    public async Task StartingACompletedTaskIsAnInvalidTransition()
    {
        var guid = await Server.DesireCompletedAsync();

        await ThrowsBbsAsync(() => Client.StartTaskAsync(guid, "cell-a"), ErrorType.InvalidStateTransition, "Cannot transition from Completed to Running");
    }

    [Theory]
    [InlineData("start")]
    [InlineData("cancel")]
    [InlineData("fail")]
    [InlineData("reject")]
    [InlineData("complete")]
    [InlineData("resolving")]
    [InlineData("delete")]
    [InlineData("get")]
    public async Task EveryOperationOnAMissingTaskIsResourceNotFound(string operation)
    {
        var guid = NewTaskGuid();
        Func<Task> call = operation switch
        {
            "start" => () => Client.StartTaskAsync(guid, "cell-a"),
            "cancel" => () => Client.CancelTaskAsync(guid),
            "fail" => () => Client.FailTaskAsync(guid, "reason"),
            "reject" => () => Client.RejectTaskAsync(guid, "reason"),
            "complete" => () => Client.CompleteTaskAsync(guid, "cell-a", false, "", "x"),
            "resolving" => () => Client.ResolvingTaskAsync(guid),
            "delete" => () => Client.DeleteTaskAsync(guid),
            _ => () => Client.TaskByGuidAsync(guid),
        };

        await ThrowsBbsAsync(call, ErrorType.ResourceNotFound, NotFound);
        Assert.Null(await Server.TryGetAsync(guid));
    }

    [Fact]
    public async Task DesiringWithAnInvalidGuidIsAnInvalidRequest()
    {
        await ThrowsBbsAsync(() => Client.DesireTaskAsync("a b", TestModels.Domain, Definition()), ErrorType.InvalidRequest, "Invalid field: task_guid");
        Assert.Null(await Server.TryGetAsync("a b"));
    }

    [Fact]
    public async Task DesiringWithoutADomainIsAnInvalidRequest()
    {
        var guid = NewTaskGuid();

        await ThrowsBbsAsync(() => Client.DesireTaskAsync(guid, "", Definition()), ErrorType.InvalidRequest, "Invalid field: domain");
        Assert.Null(await Server.TryGetAsync(guid));
    }

    [Fact]
    public async Task EveryValidationFailureIsListedInBbsOrder()
    {
        await ThrowsBbsAsync(
            () => Client.DesireTaskAsync("a b", "", Definition()), ErrorType.InvalidRequest, "Invalid field: task_guid, Invalid field: domain");
    }

    [Fact]
    public async Task StartingWithoutACellIsAnInvalidRequest()
    {
        var guid = await Server.DesirePendingAsync();

        var body = await Server.RawAsync("/v1/tasks/start", new StartTaskRequest { TaskGuid = guid });

        Assert.Equal(ErrorOnlyBytes(4, "Invalid field: cell_id"), body);
        Assert.Equal(State.Pending, (await Client.TaskByGuidAsync(guid)).State);
    }

    [Fact]
    public async Task CompletingWithoutACellIsAnInvalidRequest()
    {
        var guid = await Server.DesireRunningAsync("cell-a");

        await ThrowsBbsAsync(() => Client.CompleteTaskAsync(guid, "", false, "", "x"), ErrorType.InvalidRequest, "Invalid field: cell_id");
    }

    [Fact]
    public async Task CancellingWithoutAGuidIsAnInvalidRequest()
    {
        await ThrowsBbsAsync(() => Client.CancelTaskAsync(""), ErrorType.InvalidRequest, "Invalid field: task_guid");
    }

    [Fact]
    public async Task AGarbageBodyIsABadRequest()
    {
        using var response = await Server.PostAsync("/v1/tasks/start", Protobuf.Raw([0xff, 0xff, 0xff]));
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(ErrorOnlyBytes(4, "the request received is invalid"), body);
    }

    // Case 23: cancel.

    [Fact]
    public async Task CancellingAPendingTaskCompletesItAsCancelled()
    {
        var guid = await Server.DesirePendingAsync();

        await Client.CancelTaskAsync(guid);

        var task = await Client.TaskByGuidAsync(guid);
        Assert.Equal(State.Completed, task.State);
        Assert.True(task.Failed);
        Assert.Equal("task was cancelled", task.FailureReason);
        Assert.Equal(string.Empty, task.Result);
        Assert.Equal(string.Empty, task.CellId);
        Assert.True(task.FirstCompletedAt > 0);
    }

    [Fact]
    public async Task CancellingATaskRunningOnARegisteredCellAsksThatCellsRepToCancelIt()
    {
        var cell = NewCellId();
        await Server.RegisterCellAsync(cell);
        var guid = await Server.DesireRunningAsync(cell);

        await Client.CancelTaskAsync(guid);

        var task = await Client.TaskByGuidAsync(guid);
        Assert.Equal(State.Completed, task.State);
        Assert.True(task.Failed);
        Assert.Equal("task was cancelled", task.FailureReason);
        Assert.Equal(string.Empty, task.CellId);
        var cancel = await Server.Rep.WaitForCancelAsync(guid);
        Assert.Equal(202, cancel.StatusCode);
    }

    [Fact]
    public async Task CancellingATaskWhoseCellIsGoneStillCancelsIt()
    {
        var guid = await Server.DesireRunningAsync(NewCellId());

        await Client.CancelTaskAsync(guid);

        var task = await Client.TaskByGuidAsync(guid);
        Assert.Equal(State.Completed, task.State);
        Assert.Equal("task was cancelled", task.FailureReason);
    }

    [Fact]
    public async Task FailingAPendingTaskCompletesItWithTheReason()
    {
        var guid = await Server.DesirePendingAsync();

        await Client.FailTaskAsync(guid, "no compatible cell");

        var task = await Client.TaskByGuidAsync(guid);
        Assert.Equal(State.Completed, task.State);
        Assert.True(task.Failed);
        Assert.Equal("no compatible cell", task.FailureReason);
    }

    // Case 24 with the default max_task_retries = 0.

    [Fact]
    public async Task RejectingWithNoRetriesAllowedFailsTheTaskWithTheRejectionReason()
    {
        var guid = await Server.DesirePendingAsync();

        await Client.RejectTaskAsync(guid, "insufficient resources");

        var task = await Client.TaskByGuidAsync(guid);
        Assert.Equal(State.Completed, task.State);
        Assert.True(task.Failed);
        Assert.Equal("insufficient resources", task.FailureReason);
        Assert.Equal(string.Empty, task.CellId);
    }

    [Fact]
    public async Task RejectingARunningTaskWithNoRetriesAllowedFailsIt()
    {
        var guid = await Server.DesireRunningAsync("cell-a");

        await Client.RejectTaskAsync(guid, "container creation failed");

        var task = await Client.TaskByGuidAsync(guid);
        Assert.Equal(State.Completed, task.State);
        Assert.True(task.Failed);
        Assert.Equal("container creation failed", task.FailureReason);
    }

    [Fact]
    public async Task RejectingACompletedTaskIsABadRequest()
    {
        var guid = await Server.DesireCompletedAsync();

        await ThrowsBbsAsync(() => Client.RejectTaskAsync(guid, "late"), ErrorType.InvalidRequest, "the request received is invalid");
        Assert.False((await Client.TaskByGuidAsync(guid)).Failed);
    }

    // Concurrency: one winner among many cells.

    [Fact]
    public async Task OfThirtyTwoConcurrentStartsFromDifferentCellsExactlyOneWins()
    {
        var guid = await Server.DesirePendingAsync();
        var cells = Enumerable.Range(0, 32).Select(i => $"cell-{i}").ToArray();

        var outcomes = await Task.WhenAll(cells.Select(async cell =>
        {
            try
            {
                return (Cell: cell, ShouldStart: (bool?)await Client.StartTaskAsync(guid, cell), Error: (Error?)null);
            }
            catch (BbsException ex)
            {
                return (Cell: cell, ShouldStart: (bool?)null, Error: (Error?)ex.Error);
            }
        }));

        var winners = outcomes.Where(o => o.ShouldStart == true).ToList();
        Assert.Single(winners);
        Assert.DoesNotContain(outcomes, o => o.ShouldStart == false);
        Assert.All(outcomes.Where(o => o.Error is not null), o =>
        {
            Assert.Equal(ErrorType.InvalidStateTransition, o.Error!.Type);
            Assert.Equal("Cannot transition from Running to Running", o.Error.Message);
        });
        Assert.Equal(31, outcomes.Count(o => o.Error is not null));
        var task = await Client.TaskByGuidAsync(guid);
        Assert.Equal(State.Running, task.State);
        Assert.Equal(winners[0].Cell, task.CellId);
    }
}

public sealed class EmbeddedTaskLifecycleTests(EmbeddedBbsServer server) : TaskLifecycleTests<EmbeddedBbsServer>(server), IClassFixture<EmbeddedBbsServer>;

public sealed class EtcdTaskLifecycleTests(EtcdBbsServer server) : TaskLifecycleTests<EtcdBbsServer>(server), IClassFixture<EtcdBbsServer>;
