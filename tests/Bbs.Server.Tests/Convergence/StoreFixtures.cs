using Bbs.Db;
using Bbs.Db.Format;
using Bbs.Models;
using Bbs.Server.Tests.Support;
using Bbs.Store;

namespace Bbs.Server.Tests.Convergence;

/// <summary>
/// Fixture records written straight into the server's store, as BBS's own convergence tests write them into etcd:
/// the states convergence repairs cannot all be reached through the API.
/// </summary>
internal static class StoreFixtures
{
    public static long UnixNanos(DateTimeOffset time) => (time - DateTimeOffset.UnixEpoch).Ticks * TimeSpan.NanosecondsPerTick;

    /// <summary>Writes (or overwrites) the instance record of <paramref name="lrp"/>'s key.</summary>
    public static Task PutActualAsync(this BbsServer server, ActualLRP lrp) =>
        server.PutRawAsync(Keys.ActualInstance(lrp.ActualLrpKey.ProcessGuid, lrp.ActualLrpKey.Index), server.GetService<RecordSerializer>().Serialize(lrp));

    public static async Task PutRawAsync(this BbsServer server, string key, ReadOnlyMemory<byte> value)
    {
        var result = await server.GetService<IKeyValueStore>().TxnAsync(TxnRequest.If().Then(new PutOp(key, value)), CancellationToken.None);
        Assert.True(result.Succeeded);
    }

    public static async Task<KeyValue?> GetKvAsync(this BbsServer server, string key) =>
        (await server.GetService<IKeyValueStore>().GetAsync(key, CancellationToken.None)).Kv;

    /// <summary>Deletes a key that must exist.</summary>
    public static async Task DeleteKeyAsync(this BbsServer server, string key)
    {
        var result = await server.GetService<IKeyValueStore>().TxnAsync(TxnRequest.If().Then(new DeleteOp(key)), CancellationToken.None);
        Assert.Equal(1, result.Results[0].Deleted);
    }

    public static ActualLRP Running(ActualLRPKey key, ActualLRPInstanceKey instanceKey, long since) => new()
    {
        ActualLrpKey = key,
        ActualLrpInstanceKey = instanceKey,
        ActualLrpNetInfo = Support.Models.NetInfo(),
        State = "RUNNING",
        Since = since,
        ModificationTag = new ModificationTag { Epoch = "epoch-" + Guid.NewGuid().ToString("N"), Index = 3 },
        Routable = true,
    };

    public static ActualLRP Unclaimed(ActualLRPKey key, long since) => new()
    {
        ActualLrpKey = key,
        ActualLrpInstanceKey = new ActualLRPInstanceKey(),
        ActualLrpNetInfo = new ActualLRPNetInfo(),
        State = "UNCLAIMED",
        Since = since,
        ModificationTag = new ModificationTag { Epoch = "epoch-" + Guid.NewGuid().ToString("N"), Index = 1 },
    };

    public static ActualLRP Crashed(ActualLRPKey key, int crashCount, long since) => new()
    {
        ActualLrpKey = key,
        ActualLrpInstanceKey = new ActualLRPInstanceKey(),
        ActualLrpNetInfo = new ActualLRPNetInfo(),
        State = "CRASHED",
        CrashCount = crashCount,
        CrashReason = "exit status 1",
        Since = since,
        ModificationTag = new ModificationTag { Epoch = "epoch-" + Guid.NewGuid().ToString("N"), Index = 7 },
    };
}
