using Bbs.Server.Tests.Support;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Metrics;

/// <summary>
/// A request's trace reaches the peers it causes work for, even through the auction queue: an incoming
/// <c>X-Vcap-Request-Id</c> (Diego's trace header) or <c>traceparent</c> continues the trace, and the auctioneer's
/// request carries both headers with that trace id.
/// </summary>
public sealed class TracePropagationTests(TracePropagationTests.Server server) : IClassFixture<TracePropagationTests.Server>
{
    [Fact]
    public async Task AnIncomingVcapRequestIdReachesTheAuctioneer()
    {
        var requestId = Guid.NewGuid();
        var guid = TestModels.NewGuid();
        await server.Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 1), traceId: requestId.ToString());

        var auction = await server.Auctioneer.WaitForAsync(r => r.Body.Contains(guid, StringComparison.Ordinal));

        Assert.Equal(requestId.ToString(), auction.Headers["X-Vcap-Request-Id"]);
        Assert.Contains($"-{requestId:N}-", auction.Headers["traceparent"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnIncomingTraceparentReachesTheAuctioneer()
    {
        var traceId = System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString();
        var guid = TestModels.NewGuid();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/desired_lrp/desire.r2", UriKind.Relative))
        {
            Content = Protobuf.Body(new Bbs.Models.DesireLRPRequest { DesiredLrp = TestModels.DesiredLrp(guid, 1) }),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{System.Diagnostics.ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await server.Http.SendAsync(request);

        var auction = await server.Auctioneer.WaitForAsync(r => r.Body.Contains(guid, StringComparison.Ordinal));

        Assert.Contains($"-{traceId}-", auction.Headers["traceparent"], StringComparison.Ordinal);
        Assert.Equal(Guid.ParseExact(traceId, "N").ToString(), auction.Headers["X-Vcap-Request-Id"]);
    }

    /// <summary>A server of its own: its auctions are only these tests'.</summary>
    public sealed class Server : EmbeddedBbsServer;
}
