using System.Net;
using Bbs.Testing.Peers;
using Polly.Timeout;
using Xunit.Abstractions;
using static Bbs.Peers.Tests.TestSupport;

namespace Bbs.Peers.Tests;

/// <summary>The auctioneer client on its own: what counts as accepted, and what is retried.</summary>
public sealed class AuctioneerClientTests(ITestOutputHelper output) : IAsyncLifetime
{
    private FakeAuctioneer _auctioneer = null!;

    public async Task InitializeAsync() => _auctioneer = await FakeAuctioneer.StartAsync();

    public async Task DisposeAsync() => await _auctioneer.DisposeAsync();

    [Fact]
    public async Task AnyAnswerButAcceptedIsAFailureEvenASuccessfulOne()
    {
        await using var peers = await StartPeersAsync();
        _auctioneer.StatusCode = 200;

        var error = await Assert.ThrowsAsync<AuctioneerClientException>(
            () => peers.Auctioneer.RequestLrpAuctionsAsync([LrpStartRequest.From(SchedulingInfo(), 0)], CancellationToken.None));

        Assert.Equal(HttpStatusCode.OK, error.StatusCode);
        Assert.Single(_auctioneer.Requests);
    }

    [Fact]
    public async Task ARefusalIsNotRetried()
    {
        await using var peers = await StartPeersAsync();
        _auctioneer.StatusCode = 400;

        var error = await Assert.ThrowsAsync<AuctioneerClientException>(
            () => peers.Auctioneer.RequestTaskAuctionsAsync([TaskStartRequest.From(PendingTask())], CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.False(error.IsTransient);
        Assert.Single(_auctioneer.Requests);
    }

    [Fact]
    public async Task AnAttemptPastItsDeadlineIsRetriedThenReportedWithoutAStatus()
    {
        await using var peers = await StartPeersAsync(o =>
        {
            o.RequestTimeout = TimeSpan.FromMilliseconds(500);
            o.MaxRetries = 1;
        });
        using var hold = _auctioneer.HoldResponses();

        var error = await Assert.ThrowsAsync<AuctioneerClientException>(
            () => peers.Auctioneer.RequestLrpAuctionsAsync([LrpStartRequest.From(SchedulingInfo(), 0)], CancellationToken.None));

        Assert.Null(error.StatusCode);
        Assert.IsType<TimeoutRejectedException>(error.InnerException);
        Assert.Equal(1, peers.Metrics.Sum(PeerMetrics.Retries, "peer=auctioneer"));

        // On a busy machine an attempt may time out before its request even arrives.
        Assert.InRange(_auctioneer.Requests.Count, 0, 2);
    }

    [Fact]
    public async Task TheCallersCancellationIsNotAFailureOfTheAuctioneer()
    {
        await using var peers = await StartPeersAsync();
        using var hold = _auctioneer.HoldResponses();
        using var cancel = new CancellationTokenSource();

        var call = peers.Auctioneer.RequestLrpAuctionsAsync([LrpStartRequest.From(SchedulingInfo(), 0)], cancel.Token);
        await _auctioneer.WaitForCountAsync(1);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(_auctioneer.Requests);
        Assert.Equal(0, peers.Metrics.Sum(PeerMetrics.Retries));
    }

    [Fact]
    public async Task AnAddressWithATrailingSlashOrAPathPrefixKeepsTheRoute()
    {
        await using var peers = await PeersHost.StartAsync(output, o => o.Address = _auctioneer.Url + "/");

        await peers.Auctioneer.RequestLrpAuctionsAsync([LrpStartRequest.From(SchedulingInfo(), 0)], CancellationToken.None);

        Assert.Equal("/v1/lrps", Assert.Single(_auctioneer.Requests).Path);
    }

    [Fact]
    public async Task WithoutAnAddressTheClientRefusesToSend()
    {
        await using var peers = await PeersHost.StartAsync(output);

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => peers.Auctioneer.RequestLrpAuctionsAsync([LrpStartRequest.From(SchedulingInfo(), 0)], CancellationToken.None));
    }

    private Task<PeersHost> StartPeersAsync(Action<AuctioneerOptions>? configure = null) =>
        PeersHost.StartAsync(output, o =>
        {
            o.Address = _auctioneer.Url;
            configure?.Invoke(o);
        });
}
