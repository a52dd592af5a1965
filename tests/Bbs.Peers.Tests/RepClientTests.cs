using System.Net;
using Bbs.Models;
using Bbs.Testing.Peers;
using Xunit.Abstractions;

namespace Bbs.Peers.Tests;

/// <summary>The rep client against real (fake) reps over HTTP: routes, address choice, failures.</summary>
public sealed class RepClientTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly ActualLRPKey Key = new() { ProcessGuid = "pg-1", Index = 3, Domain = "cf-apps" };
    private static readonly ActualLRPInstanceKey InstanceKey = new() { InstanceGuid = "ig-1", CellId = "cell-1" };

    private FakeRep _rep = null!;
    private PeersHost _peers = null!;

    public async Task InitializeAsync()
    {
        _rep = await FakeRep.StartAsync();
        _peers = await PeersHost.StartAsync(output, rep: o => o.MaxRetries = 2);
    }

    public async Task DisposeAsync()
    {
        await _peers.DisposeAsync();
        await _rep.DisposeAsync();
    }

    [Fact]
    public async Task StoppingAnInstancePostsToTheRepsStopRoute()
    {
        var client = _peers.Reps.CreateClient(new CellPresence { CellId = "cell-1", RepAddress = _rep.Url });

        await client.StopLrpInstanceAsync(Key, InstanceKey, CancellationToken.None);

        var request = Assert.Single(_rep.Requests);
        Assert.Equal(("POST", "/v1/lrps/pg-1/instances/ig-1/stop", "application/json", ""), (request.Method, request.Path, request.ContentType, request.Body));
        Assert.Equal(new RepStop("pg-1", "ig-1", 202), Assert.Single(_rep.Stops));
        Assert.Equal(1, _peers.Metrics.Sum(PeerMetrics.RepCalls, "operation=stop_lrp_instance", "outcome=ok"));
    }

    [Fact]
    public async Task CancellingATaskPostsToTheRepsCancelRoute()
    {
        var client = _peers.Reps.CreateClient(_rep.Url);

        await client.CancelTaskAsync("task-1", CancellationToken.None);

        var request = Assert.Single(_rep.Requests);
        Assert.Equal(("POST", "/v1/tasks/task-1/cancel", ""), (request.Method, request.Path, request.Body));
        Assert.Equal("task-1", (await _rep.WaitForCancelAsync("task-1")).TaskGuid);
    }

    [Fact]
    public async Task TheRepUrlIsPreferredOverTheRepAddress()
    {
        await using var other = await FakeRep.StartAsync();

        await _peers.Reps.CreateClient(new CellPresence { CellId = "c", RepAddress = other.Url, RepUrl = _rep.Url })
            .CancelTaskAsync("by-url", CancellationToken.None);
        await _peers.Reps.CreateClient(new CellPresence { CellId = "c", RepAddress = other.Url })
            .CancelTaskAsync("by-address", CancellationToken.None);

        Assert.Equal(["by-url"], _rep.Cancels.Select(c => c.TaskGuid));
        Assert.Equal(["by-address"], other.Cancels.Select(c => c.TaskGuid));
    }

    [Fact]
    public async Task GuidsAreEscapedInThePath()
    {
        var client = _peers.Reps.CreateClient(_rep.Url);

        await client.StopLrpInstanceAsync(new ActualLRPKey { ProcessGuid = "odd/guid with space", Domain = "d" }, InstanceKey, CancellationToken.None);

        Assert.Equal("odd/guid with space", Assert.Single(_rep.Stops).ProcessGuid);
    }

    [Fact]
    public async Task AFailingRepIsRetriedThenReportedAsARepClientException()
    {
        _rep.StatusCode = 500;
        var client = _peers.Reps.CreateClient(_rep.Url);

        var error = await Assert.ThrowsAsync<RepClientException>(() => client.StopLrpInstanceAsync(Key, InstanceKey, CancellationToken.None));

        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal([500, 500, 500], _rep.Stops.Select(s => s.StatusCode));
        Assert.Equal(1, _peers.Metrics.Sum(PeerMetrics.RepCalls, "operation=stop_lrp_instance", "outcome=failed"));
        Assert.Equal(2, _peers.Metrics.Sum(PeerMetrics.Retries, "peer=rep"));
    }

    [Fact]
    public async Task AnAnswerOf503ThenAcceptedSucceeds()
    {
        _rep.FailNext(1, 503);

        await _peers.Reps.CreateClient(_rep.Url).CancelTaskAsync("task-1", CancellationToken.None);

        Assert.Equal([503, 202], _rep.Cancels.Select(c => c.StatusCode));
    }

    [Fact]
    public async Task ARefusalIsNotRetried()
    {
        _rep.StatusCode = 404;

        var error = await Assert.ThrowsAsync<RepClientException>(
            () => _peers.Reps.CreateClient(_rep.Url).CancelTaskAsync("task-1", CancellationToken.None));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Single(_rep.Requests);
    }

    [Fact]
    public async Task AnUnreachableRepIsReportedAsARepClientExceptionWithoutAStatus()
    {
        var error = await Assert.ThrowsAsync<RepClientException>(
            () => _peers.Reps.CreateClient("http://127.0.0.1:1").CancelTaskAsync("task-1", CancellationToken.None));

        Assert.Null(error.StatusCode);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public void ACellWithoutAnyRepAddressGetsNoClient()
    {
        Assert.Throws<ArgumentException>(() => _peers.Reps.CreateClient(new CellPresence { CellId = "c" }));
        Assert.Throws<ArgumentException>(() => _peers.Reps.CreateClient("10.0.0.1:1800"));
    }
}
