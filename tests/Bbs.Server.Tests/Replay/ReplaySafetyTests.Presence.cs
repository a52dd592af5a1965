using Bbs.Models;
using Bbs.Store;
using static Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Replay;

public abstract partial class ReplaySafetyTests<TServer>
{
    /// <summary>
    /// An upsert is a heartbeat: the replay succeeds and puts the same presence under a fresh lease of the same TTL.
    /// The lease of the first put is revoked, so a replay leaves one cell and one lease, never a second of either.
    /// </summary>
    [Fact]
    public async Task AReplayedCellUpsertSucceedsAndLeavesOneCellUnderOneLease()
    {
        var cell = new CellPresence { CellId = NewGuid("cell"), RepAddress = "http://10.0.0.9:1800", RepUrl = "https://10.0.0.9:1801", Zone = "z1" };

        var lost = await LoseAnswerAsync("/v1/cells/upsert", new UpsertCellRequest { CellPresence = cell, Ttl = 300 });
        Assert.Null(lost.Answer<UpsertCellResponse>().Error);
        var first = await StoredAsync(Bbs.Db.Keys.Cell(cell.CellId));

        var replay = await ReplayAsync<UpsertCellResponse>(lost);

        Assert.Null(replay.Error);
        Assert.Equal(cell, Assert.Single(await Client.CellsAsync(), c => c.CellId == cell.CellId));
        await AssertOnlyTheNewLeaseLivesAsync(first, await StoredAsync(Bbs.Db.Keys.Cell(cell.CellId)));
    }

    [Fact]
    public async Task AReplayedDomainUpsertSucceedsAndLeavesOneDomainUnderOneLease()
    {
        var domain = NewGuid("domain");

        var lost = await LoseAnswerAsync("/v1/domains/upsert", new UpsertDomainRequest { Domain = domain, Ttl = 300 });
        Assert.Null(lost.Answer<UpsertDomainResponse>().Error);
        var first = await StoredAsync(Bbs.Db.Keys.Domain(domain));

        var replay = await ReplayAsync<UpsertDomainResponse>(lost);

        Assert.Null(replay.Error);
        Assert.Single(await Client.DomainsAsync(), d => d == domain);
        await AssertOnlyTheNewLeaseLivesAsync(first, await StoredAsync(Bbs.Db.Keys.Domain(domain)));
    }

    private async Task<KeyValue> StoredAsync(string key)
    {
        var record = (await Server.GetService<IKeyValueStore>().GetAsync(key, CancellationToken.None)).Kv;
        Assert.NotNull(record);
        return record;
    }

    private async Task AssertOnlyTheNewLeaseLivesAsync(KeyValue first, KeyValue replayed)
    {
        var store = Server.GetService<IKeyValueStore>();
        Assert.NotEqual(0, first.Lease);
        Assert.NotEqual(first.Lease, replayed.Lease);
        Assert.Equal(first.Value.ToArray(), replayed.Value.ToArray());
        Assert.Equal(first.CreateRevision, replayed.CreateRevision);
        Assert.Equal(-1, await store.TimeToLiveAsync(first.Lease, CancellationToken.None));
        Assert.InRange(await store.TimeToLiveAsync(replayed.Lease, CancellationToken.None), 250, 300);
    }
}
