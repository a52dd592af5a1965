using System.Diagnostics;
using Bbs.Client;
using Bbs.Db.Format;
using Bbs.Models;
using Bbs.Server.Tests.Support;
using Bbs.Store;
using TestModels = Bbs.Server.Tests.Support.Models;
using BbsTask = Bbs.Models.Task;
using ErrorType = Bbs.Models.Error.Types.Type;

namespace Bbs.Server.Tests.Tasks;

/// <summary>Valid tasks, shortcuts through the task lifecycle, raw-wire calls and polling for the task tests.</summary>
internal static class TaskTestSupport
{
    /// <summary>Convergence durations far beyond any test's length: a pass with them changes nothing by age.</summary>
    public static readonly TimeSpan Long = TimeSpan.FromHours(1);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static string NewTaskGuid() => TestModels.NewGuid("task");

    public static string NewCellId() => TestModels.NewGuid("cell");

    /// <summary>A task definition that passes BBS's validation.</summary>
    public static TaskDefinition Definition(string? completionCallbackUrl = null, string annotation = "") => new()
    {
        RootFs = "preloaded:cflinuxfs4",
        Action = new Bbs.Models.Action { RunAction = new RunAction { Path = "/bin/true", User = "vcap" } },
        MemoryMb = 256,
        DiskMb = 1024,
        LogGuid = "log-guid",
        CompletionCallbackUrl = completionCallbackUrl ?? string.Empty,
        Annotation = annotation,
    };

    /// <summary>Desires a fresh Pending task and returns its guid.</summary>
    public static async Task<string> DesirePendingAsync(this BbsServer server, string domain = TestModels.Domain, string? callbackUrl = null, string annotation = "")
    {
        var guid = NewTaskGuid();
        await server.Client.DesireTaskAsync(guid, domain, Definition(callbackUrl, annotation));
        return guid;
    }

    /// <summary>Desires a task and starts it on <paramref name="cellId"/>.</summary>
    public static async Task<string> DesireRunningAsync(this BbsServer server, string cellId, string domain = TestModels.Domain, string? callbackUrl = null, string annotation = "")
    {
        var guid = await server.DesirePendingAsync(domain, callbackUrl, annotation);
        Assert.True(await server.Client.StartTaskAsync(guid, cellId));
        return guid;
    }

    /// <summary>Desires, starts and completes a task (successfully, result "x") on a fresh cell.</summary>
    public static async Task<string> DesireCompletedAsync(this BbsServer server)
    {
        var cell = NewCellId();
        var guid = await server.DesireRunningAsync(cell);
        await server.Client.CompleteTaskAsync(guid, cell, failed: false, failureReason: "", result: "x");
        return guid;
    }

    /// <summary>POSTs (or GETs) <paramref name="request"/> to <paramref name="path"/> and returns the 200 protobuf body's raw bytes.</summary>
    public static async Task<byte[]> RawAsync(this BbsServer server, string path, Google.Protobuf.IMessage request, HttpMethod? method = null)
    {
        using var message = new HttpRequestMessage(method ?? HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = Protobuf.Body(request) };
        using var response = await server.Http.SendAsync(message);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(BbsClient.ProtobufContentType, response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>Asserts that <paramref name="call"/> fails with exactly BBS's error type and message.</summary>
    public static async Task ThrowsBbsAsync(Func<Task> call, ErrorType type, string message)
    {
        var ex = await TestModels.ThrowsBbsAsync(call, type);
        Assert.Equal(message, ex.Error.Message);
    }

    public static Task<BbsTask?> TryGetAsync(this BbsServer server, string taskGuid) => TryGetAsync(server.Client, taskGuid);

    /// <summary>The task, or null when BBS answers ResourceNotFound.</summary>
    public static async Task<BbsTask?> TryGetAsync(this BbsClient client, string taskGuid)
    {
        try
        {
            return await client.TaskByGuidAsync(taskGuid);
        }
        catch (BbsException ex) when (ex.Type == ErrorType.ResourceNotFound)
        {
            return null;
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds for the task (null = gone); fails with the last state seen.</summary>
    public static async Task<BbsTask?> WaitForTaskAsync(this BbsServer server, string taskGuid, Func<BbsTask?, bool> condition, string what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var task = await server.TryGetAsync(taskGuid);
            if (condition(task))
            {
                return task;
            }

            if (clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(10)))
            {
                Assert.Fail($"task {taskGuid} did not become {what} within {clock.Elapsed.TotalSeconds:0.#}s; last seen: {(task is null ? "gone" : task.ToString())}");
            }

            await Task.Delay(PollInterval);
        }
    }

    public static Task WaitForGoneAsync(this BbsServer server, string taskGuid, TimeSpan? timeout = null) =>
        server.WaitForTaskAsync(taskGuid, t => t is null, "gone", timeout);

    public static async Task<BbsTask> WaitForStateAsync(this BbsServer server, string taskGuid, BbsTask.Types.State state, TimeSpan? timeout = null) =>
        (await server.WaitForTaskAsync(taskGuid, t => t?.State == state, state.ToString(), timeout))!;

    /// <summary>Rewrites a stored task directly in the store, as BBS's own tests write fixtures into etcd (e.g. to age it).</summary>
    public static async Task RewriteTaskAsync(this BbsServer server, string taskGuid, Action<BbsTask> change)
    {
        var store = server.GetService<IKeyValueStore>();
        var serializer = server.GetService<RecordSerializer>();
        var key = Bbs.Db.Keys.Task(taskGuid);
        var current = await store.GetAsync(key, CancellationToken.None);
        Assert.NotNull(current.Kv);
        var task = serializer.Deserialize<BbsTask>(current.Kv.Value.Span);
        change(task);
        var result = await store.TxnAsync(
            TxnRequest.If(TxnCompare.ModRevisionIs(key, current.Kv.ModRevision)).Then(new PutOp(key, serializer.Serialize(task))),
            CancellationToken.None);
        Assert.True(result.Succeeded);
    }

    /// <summary>Unix nanoseconds, as BBS stores task times.</summary>
    public static long UnixNanos(DateTimeOffset time) => (time - DateTimeOffset.UnixEpoch).Ticks * 100;

    public static int AuctionsFor(this BbsServer server, string taskGuid) =>
        server.Auctioneer.AcceptedTaskAuctions.Count(a => a.TaskGuid == taskGuid);
}
