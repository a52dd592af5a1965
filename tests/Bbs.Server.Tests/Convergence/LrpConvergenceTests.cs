using Bbs.Testing.Time;
using System.Diagnostics.Metrics;
using Bbs.Client;
using Bbs.Db;
using Bbs.Models;
using Bbs.Server.Convergence;
using Bbs.Server.Tests.Support;
using static Bbs.Server.Tests.Convergence.StoreFixtures;
using ErrorType = Bbs.Models.Error.Types.Type;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Convergence;

/// <summary>
/// LRP convergence (bbs-protocol.md §7, E16's rules; §10 cases 27 and 28 in their E16 form), one pass at a time
/// through <c>POST /v1/lrps/converge</c>. The BBS rules run on the fixture's manual clock, so backoffs and staleness
/// are reached by moving it, never by sleeping. The server is shared by the class (tests run one at a time), so every
/// test works on its own process guids and domains, and asserts on those only.
/// </summary>
public abstract class LrpConvergenceTests<TServer>(TServer server)
    where TServer : BbsServer, IClockedServer
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    private BbsClient Client => server.Client;

    private ManualTimeProvider Clock => server.Clock;

    private long Now => UnixNanos(Clock.GetUtcNow());

    private LrpConvergenceResult LastPass => server.GetService<ConvergenceMetrics>().LastLrpConvergence!;

    [Fact]
    public async Task AnInstanceDeletedFromTheStoreIsRecreatedUnclaimedAndAuctioned()
    {
        var guid = await DesireAsync(2);
        await server.Auctioneer.WaitForLrpAuctionAsync(guid, 1);
        var deleted = await Client.InstanceAsync(guid, 1);
        var other = await Client.InstanceAsync(guid, 0);
        var auctions = AuctionsOf(guid, 1);
        await server.DeleteKeyAsync(Keys.ActualInstance(guid, 1));

        await Client.ConvergeLrpsAsync();

        var recreated = await Client.InstanceAsync(guid, 1);
        Assert.Equal("UNCLAIMED", recreated.State);
        Assert.Equal(TestModels.Key(guid, 1), recreated.ActualLrpKey);
        Assert.Equal(new ActualLRPInstanceKey(), recreated.ActualLrpInstanceKey);
        Assert.Equal(Now, recreated.Since);
        Assert.NotEqual(deleted.ModificationTag.Epoch, recreated.ModificationTag.Epoch);
        Assert.Equal(0u, recreated.ModificationTag.Index);
        Assert.Equal(other, await Client.InstanceAsync(guid, 0));
        await WaitForNewAuctionAsync(guid, 1, auctions);
    }

    [Fact]
    public async Task ExtraIndicesAreRetiredWhenTheDomainIsFresh()
    {
        var domain = await FreshDomainAsync();
        var guid = await DesireAsync(1, domain);
        var cellId = await RegisteredCellAsync();
        var running = Running(TestModels.Key(guid, 1, domain), TestModels.InstanceKey(cellId), Now);
        await server.PutActualAsync(running);
        await server.PutActualAsync(Unclaimed(TestModels.Key(guid, 2, domain), Now));
        var wanted = await Client.InstanceAsync(guid, 0);

        await Client.ConvergeLrpsAsync();

        await TestModels.ThrowsBbsAsync(() => Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 1), ErrorType.ResourceNotFound);
        await TestModels.ThrowsBbsAsync(() => Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 2), ErrorType.ResourceNotFound);
        await server.Rep.WaitForStopAsync(guid, running.ActualLrpInstanceKey.InstanceGuid, WaitLimit);
        Assert.Equal(wanted, await Client.InstanceAsync(guid, 0));
        Assert.True(LastPass.Extra >= 2, $"extra: {LastPass.Extra}");
    }

    [Fact]
    public async Task ExtraIndicesAreKeptWhenTheDomainIsNotFresh()
    {
        var domain = TestModels.NewGuid("lapsed-domain");
        var guid = await DesireAsync(1, domain);
        var cellId = await RegisteredCellAsync();
        var running = Running(TestModels.Key(guid, 1, domain), TestModels.InstanceKey(cellId), Now);
        await server.PutActualAsync(running);
        var before = await Client.InstanceAsync(guid, 1);

        await Client.ConvergeLrpsAsync();

        Assert.Equal(before, await Client.InstanceAsync(guid, 1));
        Assert.DoesNotContain(server.Rep.Stops, s => s.ProcessGuid == guid);
        Assert.False(LastPass.DomainFreshness[domain]);
    }

    [Fact]
    public async Task ActualsWithoutADesiredLrpAreRetiredInAFreshDomain()
    {
        var domain = await FreshDomainAsync();
        var guid = TestModels.NewGuid();
        var cellId = await RegisteredCellAsync();
        var running = Running(TestModels.Key(guid, 0, domain), TestModels.InstanceKey(cellId), Now);
        await server.PutActualAsync(running);
        await server.PutActualAsync(Unclaimed(TestModels.Key(guid, 1, domain), Now));

        await Client.ConvergeLrpsAsync();

        Assert.Empty(await Client.ActualLrpGroupsByProcessGuidAsync(guid));
        await server.Rep.WaitForStopAsync(guid, running.ActualLrpInstanceKey.InstanceGuid, WaitLimit);
    }

    [Fact]
    public async Task ActualsWithoutADesiredLrpAreKeptWhenTheDomainIsNotFresh()
    {
        var domain = TestModels.NewGuid("lapsed-domain");
        var guid = TestModels.NewGuid();
        var cellId = await RegisteredCellAsync();
        await server.PutActualAsync(Running(TestModels.Key(guid, 0, domain), TestModels.InstanceKey(cellId), Now));
        await server.PutActualAsync(Unclaimed(TestModels.Key(guid, 1, domain), Now));
        var before = await Client.ActualLrpGroupsByProcessGuidAsync(guid);

        await Client.ConvergeLrpsAsync();

        Assert.Equal(before, await Client.ActualLrpGroupsByProcessGuidAsync(guid));
        Assert.Equal(2, before.Count);
        Assert.DoesNotContain(server.Rep.Stops, s => s.ProcessGuid == guid);
    }

    [Fact]
    public async Task InstancesOnAnUnregisteredCellAreReplacedByFreshUnclaimedOnesAndThoseOnARegisteredCellAreUntouched()
    {
        var guid = await DesireAsync(3);
        var onLiveCell = TestModels.InstanceKey(await RegisteredCellAsync());
        var runningOnGoneCell = TestModels.InstanceKey(TestModels.NewGuid("gone-cell"));
        var claimedOnGoneCell = TestModels.InstanceKey(TestModels.NewGuid("gone-cell"));
        await Client.ClaimActualLrpAsync(guid, 0, onLiveCell);
        await Client.StartActualLrpAsync(TestModels.Key(guid, 0), onLiveCell, TestModels.NetInfo());
        await Client.ClaimActualLrpAsync(guid, 1, runningOnGoneCell);
        await Client.StartActualLrpAsync(TestModels.Key(guid, 1), runningOnGoneCell, TestModels.NetInfo("10.0.0.2"));
        await Client.ClaimActualLrpAsync(guid, 2, claimedOnGoneCell);
        var live = await Client.InstanceAsync(guid, 0);
        var lost = new[] { await Client.InstanceAsync(guid, 1), await Client.InstanceAsync(guid, 2) };
        var auctions = new[] { AuctionsOf(guid, 1), AuctionsOf(guid, 2) };

        await Client.ConvergeLrpsAsync();

        Assert.Equal(live, await Client.InstanceAsync(guid, 0));
        for (var index = 1; index <= 2; index++)
        {
            var replacement = await Client.InstanceAsync(guid, index);
            Assert.Equal("UNCLAIMED", replacement.State);
            Assert.Equal(new ActualLRPInstanceKey(), replacement.ActualLrpInstanceKey);
            Assert.Equal(new ActualLRPNetInfo(), replacement.ActualLrpNetInfo);
            Assert.Equal(Now, replacement.Since);
            Assert.NotEqual(lost[index - 1].ModificationTag.Epoch, replacement.ModificationTag.Epoch);
            Assert.Equal(0u, replacement.ModificationTag.Index);
            await WaitForNewAuctionAsync(guid, index, auctions[index - 1]);
        }

        Assert.True(LastPass.MissingCell >= 2, $"on missing cells: {LastPass.MissingCell}");
    }

    [Fact]
    public async Task ACrashedInstanceIsRestartedOnlyOnceItsBackoffHasPassed()
    {
        var guid = await DesireAsync(1);
        await server.Auctioneer.WaitForLrpAuctionAsync(guid, 0);
        await server.PutActualAsync(Crashed(TestModels.Key(guid, 0), crashCount: 3, since: Now));
        var crashed = await Client.InstanceAsync(guid, 0);
        var auctions = AuctionsOf(guid, 0);

        await Client.ConvergeLrpsAsync();
        Assert.Equal(crashed, await Client.InstanceAsync(guid, 0));

        Clock.Advance(TimeSpan.FromSeconds(29));
        await Client.ConvergeLrpsAsync();
        Assert.Equal(crashed, await Client.InstanceAsync(guid, 0));
        await AssertNoNewAuctionAsync(guid, 0, auctions);

        Clock.Advance(TimeSpan.FromSeconds(2));
        await Client.ConvergeLrpsAsync();

        var restarted = await Client.InstanceAsync(guid, 0);
        Assert.Equal("UNCLAIMED", restarted.State);
        Assert.Equal(3, restarted.CrashCount);
        Assert.Equal(Now, restarted.Since);
        Assert.Equal(crashed.ModificationTag.Epoch, restarted.ModificationTag.Epoch);
        Assert.Equal(crashed.ModificationTag.Index + 1, restarted.ModificationTag.Index);
        await WaitForNewAuctionAsync(guid, 0, auctions);
    }

    [Fact]
    public async Task AnInstanceThatCrashedTwoHundredTimesIsNeverRestarted()
    {
        var guid = await DesireAsync(1);
        await server.Auctioneer.WaitForLrpAuctionAsync(guid, 0);
        await server.PutActualAsync(Crashed(TestModels.Key(guid, 0), crashCount: 200, since: Now));
        var crashed = await Client.InstanceAsync(guid, 0);
        var auctions = AuctionsOf(guid, 0);

        foreach (var step in new[] { TimeSpan.Zero, TimeSpan.FromMinutes(17), TimeSpan.FromDays(1) })
        {
            Clock.Advance(step);
            await Client.ConvergeLrpsAsync();
            Assert.Equal(crashed, await Client.InstanceAsync(guid, 0));
        }

        await AssertNoNewAuctionAsync(guid, 0, auctions);
    }

    [Fact]
    public async Task AStaleUnclaimedInstanceIsAuctionedAgainWithoutAWrite()
    {
        var guid = await DesireAsync(1);
        await server.Auctioneer.WaitForLrpAuctionAsync(guid, 0);
        var key = Keys.ActualInstance(guid, 0);
        var stored = await server.GetKvAsync(key);
        var auctions = AuctionsOf(guid, 0);

        // Exactly 30 s is not yet stale (E16: now - since > 30 s).
        Clock.Advance(TimeSpan.FromSeconds(30));
        await Client.ConvergeLrpsAsync();
        await AssertNoNewAuctionAsync(guid, 0, auctions);

        Clock.Advance(TimeSpan.FromSeconds(1));
        await Client.ConvergeLrpsAsync();

        await WaitForNewAuctionAsync(guid, 0, auctions);
        var after = await server.GetKvAsync(key);
        Assert.Equal(stored!.ModRevision, after!.ModRevision);
        Assert.True(LastPass.StaleUnclaimed >= 1, $"stale unclaimed: {LastPass.StaleUnclaimed}");
    }

    [Fact]
    public async Task UndecodableAndOrphanedRecordsArePruned()
    {
        var garbageGuid = TestModels.NewGuid();
        var garbage = Keys.ActualInstance(garbageGuid, 0);
        var garbageEvacuating = Keys.ActualEvacuating(garbageGuid, 1);
        await server.PutRawAsync(garbage, new byte[] { 0xde, 0xad, 0xbe, 0xef, 0x00, 0xff });
        await server.PutRawAsync(garbageEvacuating, "02!!! not base64"u8.ToArray());
        var withoutRunInfo = await DesireAsync(1);
        await server.DeleteKeyAsync(Keys.RunInfo(withoutRunInfo));
        var withoutSchedulingInfo = await DesireAsync(1);
        await server.DeleteKeyAsync(Keys.SchedulingInfo(withoutSchedulingInfo));

        await Client.ConvergeLrpsAsync();

        Assert.Null(await server.GetKvAsync(garbage));
        Assert.Null(await server.GetKvAsync(garbageEvacuating));
        Assert.Null(await server.GetKvAsync(Keys.SchedulingInfo(withoutRunInfo)));
        Assert.True(LastPass.Pruned >= 3, $"pruned: {LastPass.Pruned}");

        // A run info alone may be a desire in progress: it goes only once older than desired_lrp_creation_timeout (1 min).
        Assert.NotNull(await server.GetKvAsync(Keys.RunInfo(withoutSchedulingInfo)));
        Clock.Advance(TimeSpan.FromSeconds(61));
        await Client.ConvergeLrpsAsync();
        Assert.Null(await server.GetKvAsync(Keys.RunInfo(withoutSchedulingInfo)));
    }

    [Fact]
    public async Task APassReportsItsMetricsAndTheStateGaugesFollowTheView()
    {
        using var meters = new ConvergenceMeterRecorder(server.GetService<IMeterFactory>());
        var freshDomain = await FreshDomainAsync();
        var lapsedDomain = TestModels.NewGuid("lapsed-domain");
        var guid = await DesireAsync(3, freshDomain);
        var crashing = await DesireAsync(1, lapsedDomain);
        var cell = TestModels.InstanceKey(await RegisteredCellAsync());
        await Client.ClaimActualLrpAsync(guid, 0, cell);
        await Client.StartActualLrpAsync(TestModels.Key(guid, 0, freshDomain), cell, TestModels.NetInfo());
        await server.DeleteKeyAsync(Keys.ActualInstance(guid, 1));
        await server.DeleteKeyAsync(Keys.ActualInstance(guid, 2));
        await server.PutActualAsync(Crashed(TestModels.Key(crashing, 0, lapsedDomain), crashCount: 200, since: Now));

        // Before the pass: the view's counts already show the two missing instances (other tests' LRPs share the server).
        var before = await StateAsync();
        Assert.True(before.LrpsMissing >= 2, $"missing {before.LrpsMissing}");
        Assert.Equal(before.LrpsMissing, Gauge(meters.Observe(), "bbs_lrps_missing"));

        await Client.ConvergeLrpsAsync();

        Assert.Equal(2, LastPass.Missing);
        var recorded = meters.Recorded;
        Assert.Equal(1, recorded.Where(m => m.Instrument == "bbs_convergence_lrp_runs").Sum(m => m.Value));
        Assert.True(Assert.Single(recorded, m => m.Instrument == "bbs_convergence_lrp_duration").Value > 0);

        // After it: the pass re-created them, and the gauges say so at once, from the view.
        var after = await StateAsync();
        Assert.True(after.LrpsMissing <= before.LrpsMissing - 2, $"missing {before.LrpsMissing} before the pass, {after.LrpsMissing} after");
        var gauges = meters.Observe();
        Assert.Equal(after.LrpsMissing, Gauge(gauges, "bbs_lrps_missing"));
        Assert.Equal(after.LrpsExtra, Gauge(gauges, "bbs_lrps_extra"));
        Assert.True(Gauge(gauges, "bbs_lrps_desired") >= 4);
        Assert.True(Gauge(gauges, "bbs_lrps_running") >= 1);
        Assert.True(Gauge(gauges, "bbs_crashed_actual_lrps") >= 1);
        Assert.True(Gauge(gauges, "bbs_crashing_desired_lrps") >= 1);
        Assert.True(Gauge(gauges, "bbs_cells_present") >= 1);
        Assert.Equal(1, DomainGauge(gauges, freshDomain));
        Assert.Equal(0, DomainGauge(gauges, lapsedDomain));
    }

    /// <summary>The state counts once the view has caught up with every write so far.</summary>
    private async Task<Bbs.Server.Metrics.StateCounts> StateAsync()
    {
        await server.GetService<Bbs.Store.View.KeyValueView>().ReadAsync(CancellationToken.None);
        return server.GetService<Bbs.Server.Metrics.StateMetrics>().Count()!;
    }

    private static double Gauge(IReadOnlyList<RecordedMeasurement> gauges, string name) =>
        Assert.Single(gauges, m => m.Instrument == name).Value;

    private static double DomainGauge(IReadOnlyList<RecordedMeasurement> gauges, string domain) =>
        Assert.Single(gauges, m => m.Instrument == "bbs_domain_fresh" && Equals(m.Tags.GetValueOrDefault("domain"), domain)).Value;

    private async Task<string> DesireAsync(int instances, string domain = TestModels.Domain)
    {
        var guid = TestModels.NewGuid();
        await Client.DesireLrpAsync(TestModels.DesiredLrp(guid, instances, domain));
        return guid;
    }

    private async Task<string> FreshDomainAsync()
    {
        var domain = TestModels.NewGuid("fresh-domain");
        await Client.UpsertDomainAsync(domain, TimeSpan.Zero);
        return domain;
    }

    private async Task<string> RegisteredCellAsync()
    {
        var cellId = TestModels.NewGuid("cell");
        await server.RegisterCellAsync(cellId);
        return cellId;
    }

    private int AuctionsOf(string guid, int index) =>
        server.Auctioneer.LrpAuctions.Count(a => a.ProcessGuid == guid && a.Indices.Contains(index));

    private Task WaitForNewAuctionAsync(string guid, int index, int before) =>
        server.Auctioneer.WaitUntilAsync(_ => AuctionsOf(guid, index) > before, WaitLimit, $"a new auction of {guid} index {index}");

    /// <summary>
    /// Auctions are sent one batch after another in the order they were asked for, so once the auction of an LRP
    /// desired now has arrived, any auction the pass before it asked for has arrived too.
    /// </summary>
    private async Task AssertNoNewAuctionAsync(string guid, int index, int before)
    {
        var marker = await DesireAsync(1);
        await server.Auctioneer.WaitForLrpAuctionAsync(marker, 0, WaitLimit);
        Assert.Equal(before, AuctionsOf(guid, index));
    }
}

public sealed class EmbeddedLrpConvergenceTests(EmbeddedClockedBbsServer server)
    : LrpConvergenceTests<EmbeddedClockedBbsServer>(server), IClassFixture<EmbeddedClockedBbsServer>;

public sealed class EtcdLrpConvergenceTests(EtcdClockedBbsServer server)
    : LrpConvergenceTests<EtcdClockedBbsServer>(server), IClassFixture<EtcdClockedBbsServer>;
