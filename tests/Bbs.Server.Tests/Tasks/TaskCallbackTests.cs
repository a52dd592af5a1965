using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Bbs.Client;
using Bbs.Server.Tests.Support;
using static Bbs.Server.Tests.Tasks.TaskTestSupport;
using TestModels = Bbs.Server.Tests.Support.Models;
using State = Bbs.Models.Task.Types.State;

namespace Bbs.Server.Tests.Tasks;

/// <summary>
/// bbs-protocol.md §10 case 25 and §4.3's completion callback, against a real HTTP callback receiver on loopback:
/// JSON TaskCallbackResponse as Go's encoding/json writes it, delete on an answer other than 503/504, retries,
/// and convergence re-driving a callback that was left Resolving.
/// </summary>
public abstract class TaskCallbackTests<TServer>(TServer server)
    where TServer : BbsServer
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(10);

    protected TServer Server { get; } = server;

    private BbsClient Client => Server.Client;

    [Fact]
    public async Task ACompletedTaskIsPostedToItsCallbackAsJson()
    {
        await using var callbacks = await CallbackServer.StartAsync();
        var cell = NewCellId();
        var guid = NewTaskGuid();
        await Client.DesireTaskAsync(guid, TestModels.Domain, Definition(callbacks.UrlFor(guid), annotation: "staging-1"));
        var createdAt = (await Client.TaskByGuidAsync(guid)).CreatedAt;
        await Client.StartTaskAsync(guid, cell);

        await Client.CompleteTaskAsync(guid, cell, failed: false, failureReason: "", result: "x");

        var callback = await callbacks.WaitForCallbackAsync(guid, Prompt);
        Assert.Equal("POST", callback.Method);
        Assert.Equal("application/json", MediaTypeHeaderValue.Parse(callback.ContentType!).MediaType);
        Assert.Equal(guid, CallbackServer.Property(callback, "task_guid").GetString());
        Assert.Equal(JsonValueKind.False, CallbackServer.Property(callback, "failed").ValueKind);
        Assert.Equal(string.Empty, CallbackServer.Property(callback, "failure_reason").GetString());
        Assert.Equal("x", CallbackServer.Property(callback, "result").GetString());
        Assert.Equal("staging-1", CallbackServer.Property(callback, "annotation").GetString());
        var created = CallbackServer.Property(callback, "created_at");
        Assert.Equal(JsonValueKind.Number, created.ValueKind);
        Assert.Equal(createdAt, created.GetInt64());
    }

    [Fact]
    public async Task AFailedTasksCallbackCarriesTheFailure()
    {
        await using var callbacks = await CallbackServer.StartAsync();
        var cell = NewCellId();
        var guid = NewTaskGuid();
        await Client.DesireTaskAsync(guid, TestModels.Domain, Definition(callbacks.UrlFor(guid)));
        await Client.StartTaskAsync(guid, cell);

        await Client.CompleteTaskAsync(guid, cell, failed: true, failureReason: "exit status 2", result: "");

        var callback = await callbacks.WaitForCallbackAsync(guid, Prompt);
        Assert.Equal(JsonValueKind.True, CallbackServer.Property(callback, "failed").ValueKind);
        Assert.Equal("exit status 2", CallbackServer.Property(callback, "failure_reason").GetString());
    }

    [Fact]
    public async Task ACancelledTaskIsCalledBackAsCancelledAndThenDeleted()
    {
        await using var callbacks = await CallbackServer.StartAsync();
        var guid = NewTaskGuid();
        await Client.DesireTaskAsync(guid, TestModels.Domain, Definition(callbacks.UrlFor(guid)));

        await Client.CancelTaskAsync(guid);

        var callback = await callbacks.WaitForCallbackAsync(guid, Prompt);
        Assert.Equal(JsonValueKind.True, CallbackServer.Property(callback, "failed").ValueKind);
        Assert.Equal("task was cancelled", CallbackServer.Property(callback, "failure_reason").GetString());
        await Server.WaitForGoneAsync(guid, Prompt);
    }

    [Fact]
    public async Task ACallbackAnswered200DeletesTheTask()
    {
        await using var callbacks = await CallbackServer.StartAsync();
        var cell = NewCellId();
        var guid = await RunningWithCallbackAsync(cell, callbacks.UrlFor);

        await Client.CompleteTaskAsync(guid, cell, false, "", "x");

        await Server.WaitForGoneAsync(guid, Prompt);
        Assert.Single(callbacks.CallbacksFor(guid));
    }

    [Fact]
    public async Task ACallbackAnsweredWithAnotherStatusThan503Or504AlsoDeletesTheTask()
    {
        await using var callbacks = await CallbackServer.StartAsync();
        callbacks.StatusCode = 500;
        var cell = NewCellId();
        var guid = await RunningWithCallbackAsync(cell, callbacks.UrlFor);

        await Client.CompleteTaskAsync(guid, cell, false, "", "x");

        await Server.WaitForGoneAsync(guid, Prompt);
    }

    [Fact]
    public async Task ACallbackAnswered503IsTriedThreeTimesAndThenTheTaskIsLeftResolving()
    {
        await using var callbacks = await CallbackServer.StartAsync();
        callbacks.StatusCode = 503;
        var cell = NewCellId();
        var guid = await RunningWithCallbackAsync(cell, callbacks.UrlFor);

        await Client.CompleteTaskAsync(guid, cell, false, "", "x");

        // Go's HandleCompletedTask POSTs again after a 503/504, up to MAX_CB_RETRIES = 3 times in all (§10 case 25).
        await callbacks.WaitForCallbacksAsync(guid, 3, Prompt);
        await Task.Delay(500);
        Assert.Equal(3, callbacks.CallbacksFor(guid).Count);
        Assert.Equal(State.Resolving, (await Client.TaskByGuidAsync(guid)).State);
    }

    [Fact]
    public async Task ACallbackAnswered504LeavesTheTaskResolving()
    {
        await using var callbacks = await CallbackServer.StartAsync();
        callbacks.StatusCode = 504;
        var cell = NewCellId();
        var guid = await RunningWithCallbackAsync(cell, callbacks.UrlFor);

        await Client.CompleteTaskAsync(guid, cell, false, "", "x");

        await callbacks.WaitForCallbackAsync(guid, Prompt);
        await Server.WaitForStateAsync(guid, State.Resolving, Prompt);
        await Task.Delay(500);
        Assert.Equal(State.Resolving, (await Client.TaskByGuidAsync(guid)).State);
    }

    [Fact]
    public async Task ConvergenceRetriesACallbackThatWasAnswered503AndDeletesTheTaskOnceItSucceeds()
    {
        await using var callbacks = await CallbackServer.StartAsync();
        callbacks.StatusCode = 503;
        var cell = NewCellId();
        var guid = await RunningWithCallbackAsync(cell, callbacks.UrlFor);
        await Client.CompleteTaskAsync(guid, cell, false, "", "x");
        await callbacks.WaitForCallbackAsync(guid, Prompt);
        await Server.WaitForStateAsync(guid, State.Resolving, Prompt);
        await Task.Delay(500); // Any immediate retries of the first round are over: they were all refused.
        Assert.Equal(State.Resolving, (await Client.TaskByGuidAsync(guid)).State);
        var refused = callbacks.CallbacksFor(guid).Count;

        callbacks.StatusCode = 200;
        await Client.ConvergeTasksAsync(TimeSpan.Zero, Long, Long);

        await Server.WaitForGoneAsync(guid, Prompt);
        var calls = callbacks.CallbacksFor(guid);
        Assert.Equal(refused + 1, calls.Count);
        Assert.Equal(200, calls[^1].StatusCode);
        Assert.Equal(guid, CallbackServer.Property(calls[^1], "task_guid").GetString());
    }

    [Fact]
    public async Task AnUnreachableCallbackDoesNotHoldUpAnotherTasksCallback()
    {
        await using var callbacks = await CallbackServer.StartAsync();
        var deadCell = NewCellId();
        var dead = await RunningWithCallbackAsync(deadCell, _ => CallbackServer.DeadUrl());
        var liveCell = NewCellId();
        var live = await RunningWithCallbackAsync(liveCell, callbacks.UrlFor);

        await Client.CompleteTaskAsync(dead, deadCell, false, "", "x");
        var clock = Stopwatch.StartNew();
        await Client.CompleteTaskAsync(live, liveCell, false, "", "x");

        await callbacks.WaitForCallbackAsync(live, TimeSpan.FromSeconds(5));
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        await Server.WaitForGoneAsync(live, Prompt);
    }

    [Fact]
    public async Task AnUnreachableCallbackLeavesTheTaskResolvingForConvergence()
    {
        var cell = NewCellId();
        var guid = await RunningWithCallbackAsync(cell, _ => CallbackServer.DeadUrl());

        await Client.CompleteTaskAsync(guid, cell, false, "", "x");

        // Go gives up on a refused connection without deleting ("doing-request-failed"): nobody got the result yet.
        await Server.WaitForTaskAsync(guid, t => t is null || t.State == State.Resolving, "Resolving", Prompt);
        await Task.Delay(1000);
        var task = await Server.TryGetAsync(guid);
        Assert.True(task is not null, "the task was deleted although its callback was never delivered");
        Assert.Equal(State.Resolving, task.State);
    }

    [Fact]
    public async Task AHangingCallbackDoesNotHoldUpAnotherTasksCallback()
    {
        await using var hanging = await CallbackServer.StartAsync();
        await using var callbacks = await CallbackServer.StartAsync();
        using (hanging.HoldResponses())
        {
            var slowCell = NewCellId();
            var slow = await RunningWithCallbackAsync(slowCell, hanging.UrlFor);
            var liveCell = NewCellId();
            var live = await RunningWithCallbackAsync(liveCell, callbacks.UrlFor);

            await Client.CompleteTaskAsync(slow, slowCell, false, "", "x");
            await hanging.WaitForCallbackAsync(slow, Prompt);
            await Client.CompleteTaskAsync(live, liveCell, false, "", "x");

            await callbacks.WaitForCallbackAsync(live, TimeSpan.FromSeconds(5));
            await Server.WaitForGoneAsync(live, Prompt);
            Assert.Equal(State.Resolving, (await Client.TaskByGuidAsync(slow)).State);
        }
    }

    /// <summary>Desires a task whose callback URL is made from its guid, and starts it on <paramref name="cell"/>.</summary>
    private async Task<string> RunningWithCallbackAsync(string cell, Func<string, string> callbackUrl)
    {
        var guid = NewTaskGuid();
        await Client.DesireTaskAsync(guid, TestModels.Domain, Definition(callbackUrl(guid)));
        Assert.True(await Client.StartTaskAsync(guid, cell));
        return guid;
    }
}

public sealed class EmbeddedTaskCallbackTests(EmbeddedBbsServer server) : TaskCallbackTests<EmbeddedBbsServer>(server), IClassFixture<EmbeddedBbsServer>;

public sealed class EtcdTaskCallbackTests(EtcdBbsServer server) : TaskCallbackTests<EtcdBbsServer>(server), IClassFixture<EtcdBbsServer>;
