using System.Diagnostics;
using Bbs.Client;
using Bbs.Models;
using Bbs.Server.Tests.Support;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Convergence;

/// <summary>
/// Cell presences (bbs-protocol.md §8; decisions.md "Convergence, cells, auctions"): <c>/v1/cells/upsert</c> keeps a
/// presence alive under a lease of its ttl, and <c>/v1/cells/list.r1</c> (GET in E16, POST in NEW) lists the live ones.
/// </summary>
public abstract class CellPresenceTests<TServer>(TServer server)
    where TServer : BbsServer
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan GoneWithin = TimeSpan.FromSeconds(6);

    private BbsClient Client => server.Client;

    [Fact]
    public async Task AnUpsertedCellIsListedOnPostAndGetAndGoesAwayWhenNotRenewed()
    {
        var cell = NewCell();
        cell.PlacementTags.Add("tag-a");

        await Client.UpsertCellAsync(cell, Ttl);
        Assert.Equal(cell, Assert.Single(await Client.CellsAsync(), c => c.CellId == cell.CellId));

        await Client.UpsertCellAsync(cell, Ttl);
        using var response = await server.Http.GetAsync(new Uri("/v1/cells/list.r1", UriKind.Relative));
        var listed = await Protobuf.ReadAsync<CellsResponse>(response);
        Assert.Null(listed.Error);
        Assert.Equal(cell, Assert.Single(listed.Cells, c => c.CellId == cell.CellId));

        var gone = await WaitUntilGoneAsync(cell.CellId);
        Assert.True(gone < GoneWithin, $"still listed {gone.TotalSeconds:0.0} s after the last renewal");
    }

    [Fact]
    public async Task RenewingACellKeepsItListedPastItsTtl()
    {
        var cell = NewCell();

        // Timed from before each renewal is sent, so the time measured is never shorter than the lease has lived.
        var renewed = Stopwatch.StartNew();
        await Client.UpsertCellAsync(cell, Ttl);
        var checkedWithinTtl = 0;
        var total = Stopwatch.StartNew();
        while (total.Elapsed < TimeSpan.FromSeconds(2.5))
        {
            await Task.Delay(250);

            // A lease lives at least its TTL; a check that ran late (a loaded machine) proves nothing, so it is not made.
            var listed = (await Client.CellsAsync()).Any(c => c.CellId == cell.CellId);
            var sinceRenewal = renewed.Elapsed;
            if (sinceRenewal < Ttl * 0.8)
            {
                Assert.True(listed, $"not listed {sinceRenewal.TotalMilliseconds:0} ms after a renewal with a ttl of 1 s");
                checkedWithinTtl++;
            }

            renewed.Restart();
            await Client.UpsertCellAsync(cell, Ttl);
        }

        Assert.True(checkedWithinTtl >= 3, $"only {checkedWithinTtl} checks ran within the ttl");
        Assert.Contains(await Client.CellsAsync(), c => c.CellId == cell.CellId);
        await WaitUntilGoneAsync(cell.CellId);
    }

    private CellPresence NewCell() => new()
    {
        CellId = TestModels.NewGuid("cell"),
        RepAddress = server.Rep.Url,
        RepUrl = server.Rep.Url,
        Zone = "z1",
    };

    /// <summary>Polls until the cell is no longer listed; returns how long that took.</summary>
    private async Task<TimeSpan> WaitUntilGoneAsync(string cellId)
    {
        var elapsed = Stopwatch.StartNew();
        while ((await Client.CellsAsync()).Any(c => c.CellId == cellId))
        {
            Assert.True(elapsed.Elapsed < GoneWithin, $"cell {cellId} still listed after {GoneWithin.TotalSeconds} s without renewal");
            await Task.Delay(100);
        }

        return elapsed.Elapsed;
    }
}

public sealed class EmbeddedCellPresenceTests(EmbeddedCellsBbsServer server) : CellPresenceTests<EmbeddedCellsBbsServer>(server), IClassFixture<EmbeddedCellsBbsServer>;

public sealed class EtcdCellPresenceTests(EtcdCellsBbsServer server) : CellPresenceTests<EtcdCellsBbsServer>(server), IClassFixture<EtcdCellsBbsServer>;
