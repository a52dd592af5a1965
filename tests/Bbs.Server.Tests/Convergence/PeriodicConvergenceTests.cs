using System.Diagnostics;
using Bbs.Client;
using Bbs.Db;
using Bbs.Models;
using Bbs.Server.Tests.Support;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Convergence;

/// <summary>
/// The leader's own convergence loop (converge_repeat_interval = 1 s here): repairs happen with no converge call.
/// </summary>
public abstract class PeriodicConvergenceTests<TServer>(TServer server)
    where TServer : BbsServer
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    private BbsClient Client => server.Client;

    [Fact]
    public async Task TheLeaderRecreatesADeletedInstanceWithoutAConvergeCall()
    {
        var guid = TestModels.NewGuid();
        await Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));
        var deleted = await Client.InstanceAsync(guid, 0);
        await server.DeleteKeyAsync(Keys.ActualInstance(guid, 0));

        var recreated = await PollAsync(async () =>
            await Client.ActualLrpGroupsByProcessGuidAsync(guid) is [var group, ..] ? group.Instance : null, "the instance to be recreated");

        Assert.Equal("UNCLAIMED", recreated.State);
        Assert.NotEqual(deleted.ModificationTag.Epoch, recreated.ModificationTag.Epoch);
        await server.Auctioneer.WaitUntilAsync(
            _ => server.Auctioneer.LrpAuctions.Count(a => a.ProcessGuid == guid && a.Indices.Contains(0)) >= 2, WaitLimit, "a second auction of index 0");
    }

    [Fact]
    public async Task AnInstanceIsKeptWhileItsCellRenewsAndReplacedOnceTheCellLapses()
    {
        var cell = new CellPresence { CellId = TestModels.NewGuid("cell"), RepAddress = server.Rep.Url, RepUrl = server.Rep.Url, Zone = "z1" };
        var ttl = TimeSpan.FromSeconds(2);
        await Client.UpsertCellAsync(cell, ttl);
        var guid = TestModels.NewGuid();
        await Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));
        var instanceKey = TestModels.InstanceKey(cell.CellId);
        await Client.ClaimActualLrpAsync(guid, 0, instanceKey);
        await Client.StartActualLrpAsync(TestModels.Key(guid, 0), instanceKey, TestModels.NetInfo());
        var running = await Client.InstanceAsync(guid, 0);

        // At least two periodic passes see the cell present and leave the instance alone.
        var renewing = Stopwatch.StartNew();
        while (renewing.Elapsed < TimeSpan.FromSeconds(2.5))
        {
            await Client.UpsertCellAsync(cell, ttl);
            Assert.Equal(running, await Client.InstanceAsync(guid, 0));
            await Task.Delay(300);
        }

        var lapsed = Stopwatch.StartNew();
        var replacement = await PollAsync(async () =>
        {
            var lrp = await Client.InstanceAsync(guid, 0);
            return lrp.State == "UNCLAIMED" ? lrp : null;
        }, "the instance on the lapsed cell to be replaced");

        Assert.Equal(new ActualLRPInstanceKey(), replacement.ActualLrpInstanceKey);
        Assert.NotEqual(running.ModificationTag.Epoch, replacement.ModificationTag.Epoch);
        Assert.True(lapsed.Elapsed < WaitLimit, $"replaced {lapsed.Elapsed.TotalSeconds:0.0} s after the last renewal");
    }

    private static async Task<T> PollAsync<T>(Func<Task<T?>> probe, string what)
        where T : class
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            Assert.True(deadline.Elapsed < WaitLimit, $"timed out after {WaitLimit.TotalSeconds} s waiting for {what}");
            await Task.Delay(100);
        }
    }
}

public sealed class EmbeddedPeriodicConvergenceTests(EmbeddedFastConvergenceBbsServer server)
    : PeriodicConvergenceTests<EmbeddedFastConvergenceBbsServer>(server), IClassFixture<EmbeddedFastConvergenceBbsServer>;

public sealed class EtcdPeriodicConvergenceTests(EtcdFastConvergenceBbsServer server)
    : PeriodicConvergenceTests<EtcdFastConvergenceBbsServer>(server), IClassFixture<EtcdFastConvergenceBbsServer>;
