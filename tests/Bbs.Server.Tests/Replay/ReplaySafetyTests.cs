using System.Net;
using Bbs.Client;
using Bbs.Models;
using Bbs.Server.Tests.Api;
using Bbs.Server.Tests.Support;
using Bbs.Testing.Net;
using Google.Protobuf;
using static Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Replay;

/// <summary>
/// Issue 12, "proven under faults": every lifecycle write is safe to replay after it was applied. Diego's Go client
/// sends a request again (up to 3 times) after a transport error (bbs-protocol.md §2), so a request whose answer was
/// lost on the way back reaches BBS twice. Each test sets up its route's precondition, sends the request through a
/// <see cref="DroppingProxy"/> (the server applies it and answers; the client sees a reset connection), replays the
/// identical bytes to the server as the Go client would, and checks the replay's in-band answer and that the stored
/// state is what one application left. Where the replay writes nothing the store revision does not move, which also
/// shows that no event is sent twice: events come from the store watch.
/// </summary>
/// <remarks>The routes are split over partial files by area; both stores run every test.</remarks>
public abstract partial class ReplaySafetyTests<TServer>(TServer server)
    where TServer : BbsServer
{
    /// <summary>Long enough for the 10 ms auction batch of a second auction to have reached the fake auctioneer.</summary>
    private static readonly TimeSpan AuctionSettle = TimeSpan.FromMilliseconds(200);

    private TServer Server { get; } = server;

    private BbsClient Client => Server.Client;

    [Fact]
    public async Task TheProxyLosesTheAnswerOfARequestTheServerApplied()
    {
        var domain = NewGuid("domain");
        await using var proxy = DroppingProxy.Start(Server.Factory.BaseAddress);
        using var client = proxy.CreateClient();

        var error = await Record.ExceptionAsync(() => client.PostAsync(new Uri("/v1/domains/upsert", UriKind.Relative), Protobuf.Body(new UpsertDomainRequest { Domain = domain, Ttl = 300 })));

        Assert.True(error is HttpRequestException or IOException, $"expected a transport error, got {error?.ToString() ?? "an answer"}");
        Assert.Equal(1, proxy.Connections);
        var answer = Assert.Single(proxy.DroppedAnswers);
        Assert.StartsWith("HTTP/1.1 200 ", answer.StatusLine, StringComparison.Ordinal);
        Assert.Empty(answer.Body);
        Assert.Contains(domain, await Client.DomainsAsync());
    }

    /// <summary>
    /// Sends <paramref name="request"/> to <paramref name="path"/> through a proxy that loses the answer, and checks
    /// that the client saw a transport error on one connection (no retry inside HttpClient) while the server answered
    /// 200 with a protobuf body, which the returned call holds.
    /// </summary>
    private async Task<LostCall> LoseAnswerAsync(string path, IMessage request)
    {
        var body = request.ToByteArray();
        await using var proxy = DroppingProxy.Start(Server.Factory.BaseAddress);
        using var client = proxy.CreateClient();

        var error = await Record.ExceptionAsync(() => client.PostAsync(new Uri(path, UriKind.Relative), Protobuf.Raw(body)));

        Assert.True(error is HttpRequestException or IOException, $"{path}: expected a transport error, got {error?.ToString() ?? "an answer"}");
        Assert.Equal(1, proxy.Connections);
        var answer = Assert.Single(proxy.DroppedAnswers);
        Assert.StartsWith("HTTP/1.1 200 ", answer.StatusLine, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/x-protobuf", System.Text.Encoding.ASCII.GetString(answer.Raw), StringComparison.OrdinalIgnoreCase);
        return new LostCall(path, body, answer.Body);
    }

    /// <summary>Sends the lost call's identical bytes to the same route directly, as Diego's client retries, and decodes the answer.</summary>
    private async Task<T> ReplayAsync<T>(LostCall lost)
        where T : IMessage<T>, new()
    {
        using var response = await Server.PostAsync(lost.Path, Protobuf.Raw(lost.Request));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Protobuf.ReadAsync<T>(response);
    }

    private Task<long> RevisionAsync() => Server.StoreRevisionAsync();

    private int LrpAuctionsFor(string guid) => Server.Auctioneer.LrpAuctions.Count(a => a.ProcessGuid == guid);

    /// <summary>Waits until the auctions of <paramref name="guid"/> exceed <paramref name="before"/>, and returns their count.</summary>
    private async Task<int> AwaitLrpAuctionAsync(string guid, int before)
    {
        await Server.Auctioneer.WaitUntilAsync(_ => LrpAuctionsFor(guid) > before, TimeSpan.FromSeconds(10), "an LRP auction");
        return LrpAuctionsFor(guid);
    }

    /// <summary>Gives a (wrong) second auction time to arrive, then checks there is none.</summary>
    private async Task AssertNoFurtherLrpAuctionsAsync(string guid, int expected)
    {
        await Task.Delay(AuctionSettle);
        Assert.Equal(expected, LrpAuctionsFor(guid));
    }

    /// <summary>Desires an LRP and waits for its first auction, so a test counts only the auctions that follow.</summary>
    private async Task<string> DesiredAsync(int instances)
    {
        var guid = NewGuid();
        await Client.DesireLrpAsync(DesiredLrp(guid, instances));
        await Server.Auctioneer.WaitForLrpAuctionAsync(guid, 0);
        return guid;
    }

    private async Task<(string Guid, ActualLRPInstanceKey Cell)> ClaimedAsync(string cellId = "cell-a")
    {
        var guid = await DesiredAsync(1);
        var cell = InstanceKey(cellId);
        await Client.ClaimActualLrpAsync(guid, 0, cell);
        return (guid, cell);
    }

    private async Task<(string Guid, ActualLRPInstanceKey Cell)> RunningAsync(string cellId = "cell-a")
    {
        var (guid, cell) = await ClaimedAsync(cellId);
        await Client.StartActualLrpAsync(Key(guid, 0), cell, NetInfo());
        return (guid, cell);
    }

    /// <summary>A request that reached the server once, with the answer its client never saw.</summary>
    private sealed record LostCall(string Path, byte[] Request, byte[] AnswerBody)
    {
        public T Answer<T>()
            where T : IMessage<T>, new() => new MessageParser<T>(() => new T()).ParseFrom(AnswerBody);
    }
}

public sealed class EmbeddedReplaySafetyTests(EmbeddedBbsServer server) : ReplaySafetyTests<EmbeddedBbsServer>(server), IClassFixture<EmbeddedBbsServer>;

public sealed class EtcdReplaySafetyTests(EtcdBbsServer server) : ReplaySafetyTests<EtcdBbsServer>(server), IClassFixture<EtcdBbsServer>;
