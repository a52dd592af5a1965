using System.Diagnostics;
using Bbs.Testing.Peers;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using static Bbs.Peers.Tests.TestSupport;

namespace Bbs.Peers.Tests;

/// <summary>The batching requester against a real (fake) auctioneer over HTTP.</summary>
public sealed class AuctionRequesterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private FakeAuctioneer _auctioneer = null!;

    public async Task InitializeAsync() => _auctioneer = await FakeAuctioneer.StartAsync();

    public async Task DisposeAsync() => await _auctioneer.DisposeAsync();

    [Fact]
    public async Task StartRequestsForSeveralIndicesArriveAsOnePostInTheAuctioneersShape()
    {
        await using var peers = await StartPeersAsync(o => o.BatchWindow = TimeSpan.FromSeconds(1));

        peers.Requester.RequestLrpAuctions([LrpStartRequest.From(SchedulingInfo(), 0)]);
        peers.Requester.RequestLrpAuctions([LrpStartRequest.From(SchedulingInfo(), 1, 2), LrpStartRequest.From(DesiredLrp(), 3)]);
        await EventuallyAsync(() => peers.Metrics.Sum(PeerMetrics.AuctionRequests, "outcome=sent") == 3, "3 start requests sent");

        var post = Assert.Single(_auctioneer.Requests);
        Assert.Equal(("POST", "/v1/lrps", "application/json"), (post.Method, post.Path, post.ContentType));
        Assert.Equal($"[{StartRequestTests.Pg1Index0},{StartRequestTests.Pg1Index1And2},{StartRequestTests.Pg2Index3}]", post.Body);
        Assert.Equal([0, 1, 2, 3], _auctioneer.AcceptedLrpAuctions.SelectMany(a => a.Indices));
        Assert.Equal(3, peers.Metrics.Sum(PeerMetrics.AuctionsRequested, "kind=lrp"));
        Assert.Equal(3, peers.Metrics.Sum(PeerMetrics.AuctionRequests, "outcome=sent", "kind=lrp"));
    }

    [Fact]
    public async Task TaskStartRequestsArriveAsOnePostInTheAuctioneersShape()
    {
        await using var peers = await StartPeersAsync(o => o.BatchWindow = TimeSpan.FromSeconds(1));

        peers.Requester.RequestTaskAuctions([TaskStartRequest.From(PendingTask("task-1"))]);
        peers.Requester.RequestTaskAuctions([TaskStartRequest.From(PendingTask("task-2"))]);
        await EventuallyAsync(() => peers.Metrics.Sum(PeerMetrics.AuctionRequests, "outcome=sent", "kind=task") == 2, "2 task start requests sent");

        var post = Assert.Single(_auctioneer.Requests);
        Assert.Equal(("POST", "/v1/tasks", "application/json"), (post.Method, post.Path, post.ContentType));
        Assert.Equal($"[{StartRequestTests.Task1},{StartRequestTests.Task1.Replace("task-1", "task-2", StringComparison.Ordinal)}]", post.Body);
        Assert.Equal(["task-1", "task-2"], _auctioneer.AcceptedTaskAuctions.Select(t => t.TaskGuid));
    }

    [Fact]
    public async Task LrpAndTaskRequestsOfOneWindowGoAsOnePostOfEachKind()
    {
        await using var peers = await StartPeersAsync(o => o.BatchWindow = TimeSpan.FromSeconds(1));

        peers.Requester.RequestLrpAuctions([LrpStartRequest.From(SchedulingInfo(), 0)]);
        peers.Requester.RequestTaskAuctions([TaskStartRequest.From(PendingTask())]);
        peers.Requester.RequestLrpAuctions([LrpStartRequest.From(SchedulingInfo(), 1)]);
        await EventuallyAsync(() => peers.Metrics.Sum(PeerMetrics.AuctionRequests, "outcome=sent") == 3, "3 start requests sent");

        Assert.Equal(["/v1/lrps", "/v1/tasks"], _auctioneer.Requests.Select(r => r.Path).Order());
        Assert.Equal(2, _auctioneer.AcceptedLrpAuctions.Count);
    }

    [Fact]
    public async Task ABatchIsSentAsSoonAsItIsFullWithoutWaitingForTheWindow()
    {
        await using var peers = await StartPeersAsync(o =>
        {
            o.BatchWindow = TimeSpan.FromSeconds(30);
            o.MaxBatchSize = 2;
        });

        peers.Requester.RequestLrpAuctions([LrpStartRequest.From(SchedulingInfo(), 0), LrpStartRequest.From(SchedulingInfo(), 1)]);

        await _auctioneer.WaitForLrpAuctionAsync("pg-1", 1, TimeSpan.FromSeconds(10));
        Assert.Single(_auctioneer.Requests);
    }

    [Fact]
    public async Task AnAnswerOf500IsRetriedAndTheBatchIsDeliveredOnce()
    {
        await using var peers = await StartPeersAsync();
        _auctioneer.FailNext(1, 500);

        peers.Requester.RequestLrpAuctions([LrpStartRequest.From(SchedulingInfo(), 0)]);
        await EventuallyAsync(() => peers.Metrics.Sum(PeerMetrics.AuctionRequests, "outcome=sent") == 1, "the start request sent");
        await Task.Delay(200);

        Assert.Equal([500, 202], _auctioneer.Requests.Select(r => r.StatusCode));
        Assert.Equal(_auctioneer.Requests[0].Body, _auctioneer.Requests[1].Body);
        Assert.Single(_auctioneer.AcceptedLrpAuctions);
        Assert.Equal(1, peers.Metrics.Sum(PeerMetrics.Retries, "peer=auctioneer"));
        Assert.Equal(0, peers.Metrics.Sum(PeerMetrics.AuctionRequests, "outcome=failed"));
    }

    [Fact]
    public async Task APermanentlyFailingAuctioneerIsRetriedThenCountedFailedAndLaterBatchesStillGo()
    {
        await using var peers = await StartPeersAsync(o => o.MaxRetries = 2);
        _auctioneer.StatusCode = 500;

        peers.Requester.RequestLrpAuctions([LrpStartRequest.From(SchedulingInfo("doomed"), 0)]);
        await EventuallyAsync(() => peers.Metrics.Sum(PeerMetrics.AuctionRequests, "outcome=failed", "kind=lrp") == 1, "the start request counted failed");

        Assert.Equal([500, 500, 500], _auctioneer.Requests.Select(r => r.StatusCode));
        await EventuallyAsync(
            () => peers.Log.Entries.Any(e => e.Level == LogLevel.Error && e.Message.Contains("doomed [0]", StringComparison.Ordinal)),
            "the failure logged with the process guid and index");

        _auctioneer.StatusCode = 202;
        peers.Requester.RequestLrpAuctions([LrpStartRequest.From(SchedulingInfo("later"), 0)]);
        await _auctioneer.WaitForLrpAuctionAsync("later", 0);

        await EventuallyAsync(() => peers.Metrics.Sum(PeerMetrics.AuctionRequests, "outcome=sent") == 1, "the later start request sent");
        Assert.Equal(["later"], _auctioneer.AcceptedLrpAuctions.Select(a => a.ProcessGuid));
        Assert.Equal(1, peers.Metrics.Sum(PeerMetrics.AuctionRequests, "outcome=failed"));
    }

    [Fact]
    public async Task AnUnreachableAuctioneerIsCountedFailedWithoutTroublingTheCaller()
    {
        await using var peers = await PeersHost.StartAsync(output, o =>
        {
            o.Address = "http://127.0.0.1:1";
            o.MaxRetries = 1;
        });

        peers.Requester.RequestTaskAuctions([TaskStartRequest.From(PendingTask())]);

        await EventuallyAsync(() => peers.Metrics.Sum(PeerMetrics.AuctionRequests, "outcome=failed", "kind=task") == 1, "the task start request counted failed");
        Assert.Equal(1, peers.Metrics.Sum(PeerMetrics.Retries, "peer=auctioneer"));
    }

    [Fact]
    public async Task WithoutAnAuctioneerRequestsAreLoggedAndCountedButNotSent()
    {
        await using var peers = await PeersHost.StartAsync(output);

        peers.Requester.RequestLrpAuctions([LrpStartRequest.From(SchedulingInfo(), 0), LrpStartRequest.From(SchedulingInfo(), 1)]);
        peers.Requester.RequestTaskAuctions([TaskStartRequest.From(PendingTask())]);

        Assert.Equal(2, peers.Metrics.Sum(PeerMetrics.AuctionRequests, "outcome=no_auctioneer", "kind=lrp"));
        Assert.Equal(1, peers.Metrics.Sum(PeerMetrics.AuctionRequests, "outcome=no_auctioneer", "kind=task"));
        Assert.Equal(3, peers.Metrics.Sum(PeerMetrics.AuctionsRequested));
        await EventuallyAsync(() => peers.Log.Entries.Any(e => e.Level == LogLevel.Warning && e.Message.Contains("pg-1 [0], pg-1 [1]", StringComparison.Ordinal)), "the LRP requests logged");
        await EventuallyAsync(() => peers.Log.Entries.Any(e => e.Level == LogLevel.Warning && e.Message.Contains("task-1", StringComparison.Ordinal)), "the task request logged");
        Assert.Contains(peers.Log.Entries, e => e.Message.Contains("No auctioneer configured", StringComparison.Ordinal));
        Assert.Empty(_auctioneer.Requests);
    }

    [Fact]
    public async Task WithoutAnAuctioneerTheRequestsOfOneWindowAreOneLineWithTheirCount()
    {
        await using var peers = await PeersHost.StartAsync(output);

        for (int i = 0; i < 100; i++)
        {
            peers.Requester.RequestLrpAuctions([LrpStartRequest.From(SchedulingInfo($"many-{i}"), 0)]);
        }

        await EventuallyAsync(() => peers.Log.Entries.Any(e => e.Message.StartsWith("Not sent", StringComparison.Ordinal)), "the requests logged");
        await Task.Delay(300);
        var lines = peers.Log.Entries.Where(e => e.Message.StartsWith("Not sent", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count <= 2, $"{lines.Count} lines for 100 requests");
        Assert.Equal(100, lines.Sum(e => int.Parse(System.Text.RegularExpressions.Regex.Match(e.Message, @": (\d+) lrp").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(100, peers.Metrics.Sum(PeerMetrics.AuctionRequests, "outcome=no_auctioneer", "kind=lrp"));
    }

    [Fact]
    public async Task AFullQueueDropsWithACounterAndWhatWasQueuedIsStillDelivered()
    {
        await using var peers = await StartPeersAsync(o =>
        {
            o.QueueCapacity = 1;
            o.MaxBatchSize = 1;
            o.BatchWindow = TimeSpan.Zero;
            o.QueueFullWait = TimeSpan.FromMilliseconds(50);
        });
        var hold = _auctioneer.HoldResponses();

        // The first is taken and its POST hangs; the second fills the queue; the rest find it full.
        peers.Requester.RequestLrpAuctions([LrpStartRequest.From(SchedulingInfo("in-flight"), 0)]);
        await _auctioneer.WaitForCountAsync(1);
        peers.Requester.RequestLrpAuctions([LrpStartRequest.From(SchedulingInfo("queued"), 0)]);
        peers.Requester.RequestLrpAuctions([.. Enumerable.Range(0, 3).Select(i => LrpStartRequest.From(SchedulingInfo("dropped"), i))]);

        await EventuallyAsync(() => peers.Metrics.Sum(PeerMetrics.AuctionRequests, "outcome=dropped", "kind=lrp", "reason=queue_full") == 3, "3 start requests dropped");
        Assert.Contains(peers.Log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("Auction queue full", StringComparison.Ordinal));

        hold.Dispose();
        await _auctioneer.WaitForLrpAuctionAsync("queued", 0);
        await EventuallyAsync(() => peers.Metrics.Sum(PeerMetrics.AuctionRequests, "outcome=sent") == 2, "the 2 start requests that got in sent");
        Assert.Equal(["in-flight", "queued"], _auctioneer.AcceptedLrpAuctions.Select(a => a.ProcessGuid));
        Assert.Equal(5, peers.Metrics.Sum(PeerMetrics.AuctionsRequested));
    }

    [Fact]
    public async Task StoppingFlushesWhatIsQueuedWithoutWaitingForTheWindow()
    {
        await using var peers = await StartPeersAsync(o => o.BatchWindow = TimeSpan.FromSeconds(30));
        peers.Requester.RequestLrpAuctions([LrpStartRequest.From(SchedulingInfo(), 0)]);
        peers.Requester.RequestTaskAuctions([TaskStartRequest.From(PendingTask())]);

        var stopwatch = Stopwatch.StartNew();
        await peers.StopAsync();

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"stop took {stopwatch.Elapsed}");
        Assert.Single(_auctioneer.AcceptedLrpAuctions);
        Assert.Single(_auctioneer.AcceptedTaskAuctions);
        Assert.Equal(2, peers.Metrics.Sum(PeerMetrics.AuctionRequests, "outcome=sent"));
    }

    [Fact]
    public async Task StoppingPastTheShutdownDeadlineDropsWhatIsLeftAndCountsIt()
    {
        await using var peers = await StartPeersAsync(
            o => o.BatchWindow = TimeSpan.FromSeconds(30),
            shutdownTimeout: TimeSpan.FromMilliseconds(500));
        using var hold = _auctioneer.HoldResponses();
        peers.Requester.RequestLrpAuctions([LrpStartRequest.From(SchedulingInfo(), 0)]);

        var stopwatch = Stopwatch.StartNew();
        await peers.StopAsync();

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"stop took {stopwatch.Elapsed}");
        await EventuallyAsync(() => peers.Metrics.Sum(PeerMetrics.AuctionRequests, "outcome=dropped", "reason=shutdown") == 1, "the start request dropped at shutdown");
        Assert.Equal(0, peers.Metrics.Sum(PeerMetrics.AuctionRequests, "outcome=sent"));

        peers.Requester.RequestLrpAuctions([LrpStartRequest.From(SchedulingInfo(), 1)]);
        Assert.Equal(2, peers.Metrics.Sum(PeerMetrics.AuctionRequests, "outcome=dropped", "reason=shutdown"));
    }

    private Task<PeersHost> StartPeersAsync(Action<AuctioneerOptions>? configure = null, TimeSpan? shutdownTimeout = null) =>
        PeersHost.StartAsync(
            output,
            o =>
            {
                o.Address = _auctioneer.Url;
                configure?.Invoke(o);
            },
            shutdownTimeout: shutdownTimeout);
}
