using System.Net;
using Bbs.Client;
using Bbs.Client.Events;
using Bbs.Models;
using Bbs.Server.Tests.Support;
using Google.Protobuf;
using static Bbs.Server.Tests.Events.EventReader;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Events;

/// <summary>
/// The client's event-stream reader over a connection that fails: it reconnects on transport errors and 5xx with
/// <c>Last-Event-ID</c>, a bounded number of times, and gives up at once on other statuses (bbs-protocol.md §6 "Go client consumption").
/// </summary>
public abstract class EventStreamReconnectionTests<TServer> : IDisposable
    where TServer : BbsServer
{
    private static readonly BbsEventStreamOptions Quick = new() { RetryDelay = TimeSpan.FromMilliseconds(50) };

    private readonly FaultyHandler handler = new();
    private readonly HttpClient http;

    protected EventStreamReconnectionTests(TServer server)
    {
        Server = server;
        http = new HttpClient(handler) { BaseAddress = server.Factory.BaseAddress };
        Client = new BbsClient(http, new BbsClientOptions { Url = server.Factory.BaseAddress });
    }

    protected TServer Server { get; }

    /// <summary>A client whose event streams go through <see cref="handler"/>.</summary>
    private BbsClient Client { get; }

    [Fact]
    public async Task ABrokenConnectionIsResumedFromTheLastEventIdWithoutLossOrDuplicates()
    {
        await using var events = await LrpsAsync(Client, options: Quick);
        var guid = TestModels.NewGuid();
        var cell = TestModels.InstanceKey(TestModels.NewGuid("cell"));
        await Server.Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));
        Assert.Equal(["desired_lrp_created", "actual_lrp_created"], (await events.TakeForAsync(2, guid)).Select(e => e.Name));

        handler.Answers.Enqueue(HttpStatusCode.ServiceUnavailable); // the first reconnection attempt fails too
        handler.Cut();
        await Server.Client.ClaimActualLrpAsync(guid, 0, cell);
        await Server.Client.StartActualLrpAsync(TestModels.Key(guid, 0), cell, TestModels.NetInfo());

        var resumed = await events.TakeForAsync(2, guid);
        Assert.Equal("CLAIMED", As<ActualLRPChangedEvent>(resumed[0], "actual_lrp_changed").After.Instance.State);
        Assert.Equal("RUNNING", As<ActualLRPChangedEvent>(resumed[1], "actual_lrp_changed").After.Instance.State);
        await events.AssertNoMoreLrpEventsAsync(Client, guid);

        Assert.Equal(1, events.Stream.Reconnects);
        var sent = handler.LastEventIds;
        Assert.Equal(3, sent.Count);
        Assert.Null(sent[0]);
        Assert.NotNull(sent[1]);
        Assert.Equal(sent[1], sent[2]);
        Assert.Contains(events.Seen, e => e.Id == sent[1]);
        AssertStrictlyIncreasing(events.Seen);
    }

    [Fact]
    public async Task ServerErrorsWhileSubscribingAreRetried()
    {
        handler.Answers.Enqueue(HttpStatusCode.ServiceUnavailable);
        handler.Answers.Enqueue(HttpStatusCode.BadGateway);

        await using var events = await InstancesAsync(Client, options: Quick);
        var guid = TestModels.NewGuid();
        await Server.Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));

        Assert.Equal(["desired_lrp_created", "actual_lrp_instance_created"], (await events.TakeForAsync(2, guid)).Select(e => e.Name));
        Assert.Equal(3, handler.LastEventIds.Count);
    }

    [Fact]
    public async Task ServerErrorsOnEveryAttemptFailTheSubscriptionAfterMaxAttempts()
    {
        for (var i = 0; i < 3; i++)
        {
            handler.Answers.Enqueue(HttpStatusCode.InternalServerError);
        }

        var ex = await Assert.ThrowsAsync<BbsException>(() => Client.SubscribeToLrpEventsAsync(options: Quick));

        Assert.Equal(Error.Types.Type.InvalidResponse, ex.Type);
        Assert.Equal("Invalid Response with status code: 500", ex.Error.Message);
        Assert.Equal(3, handler.LastEventIds.Count);
    }

    [Fact]
    public async Task OtherStatusesFailTheSubscriptionAtOnce()
    {
        handler.Answers.Enqueue(HttpStatusCode.Forbidden);

        var ex = await Assert.ThrowsAsync<BbsException>(() => Client.SubscribeToTaskEventsAsync(Quick));

        Assert.Equal(Error.Types.Type.InvalidResponse, ex.Type);
        Assert.Equal("Invalid Response with status code: 403", ex.Error.Message);
        Assert.Single(handler.LastEventIds);
    }

    [Fact]
    public async Task TheReaderSkipsUnknownEventNamesAndFailsOnUndecodableData()
    {
        var task = new TaskCreatedEvent { Task = new Bbs.Models.Task { TaskGuid = "canned-task", Domain = TestModels.Domain } };
        handler.CannedStreams.Enqueue(
            "id: 10.0\nevent: something_new\ndata: CgR0ZXN0\n\n" +
            $"id: 10.1\nevent: task_created\ndata: {Convert.ToBase64String(task.ToByteArray())}\n\n" +
            "id: 10.2\nevent: task_changed\ndata: not base64!\n\n");
        await using var events = await TasksAsync(Client, Quick);

        var first = await events.NextAsync();

        Assert.Equal("10.1", first.Id);
        Assert.Equal(task, As<TaskCreatedEvent>(first, "task_created"));
        var ex = await Assert.ThrowsAsync<BbsException>(() => events.NextAsync());
        Assert.Equal(Error.Types.Type.InvalidProtobufMessage, ex.Type);
        Assert.Equal("10.2", events.Stream.LastEventId);
    }

    [Fact]
    public async Task DisposingTheStreamEndsAPendingEnumerationNormally()
    {
        var stream = await Client.SubscribeToTaskEventsAsync(Quick);
        var enumerator = stream.GetAsyncEnumerator();
        var pending = enumerator.MoveNextAsync().AsTask();

        await stream.DisposeAsync();

        Assert.False(await pending.WaitAsync(EventReader.Timeout));
        await enumerator.DisposeAsync();
        Assert.Single(handler.LastEventIds);
    }

    public void Dispose()
    {
        Client.Dispose();
        http.Dispose();
        handler.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class EmbeddedEventStreamReconnectionTests(EmbeddedBbsServer server) : EventStreamReconnectionTests<EmbeddedBbsServer>(server), IClassFixture<EmbeddedBbsServer>;

public sealed class EtcdEventStreamReconnectionTests(EtcdBbsServer server) : EventStreamReconnectionTests<EtcdBbsServer>(server), IClassFixture<EtcdBbsServer>;
