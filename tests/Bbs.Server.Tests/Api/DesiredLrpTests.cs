using Bbs.Client;
using Bbs.Models;
using Bbs.Server.Tests.Support;
using TestModels = Bbs.Server.Tests.Support.Models;
using Bbs.Store;
using Google.Protobuf;

namespace Bbs.Server.Tests.Api;

/// <summary>bbs-protocol.md §10 case 6 and the desired-LRP routes of §1: desire, read, list, update and remove.</summary>
public abstract class DesiredLrpTests<TServer>(TServer server)
    where TServer : BbsServer
{
    private static readonly TimeSpan SinceTolerance = TimeSpan.FromSeconds(5);

    private BbsClient Client => server.Client;

    [Fact]
    public async Task ADesireWhoseRecordExceedsTheStoresLimitIsATypedErrorAndWritesNothing()
    {
        // 2 MB of environment: more than max_record_bytes (1 MiB), and more than etcd's own request limit, whose
        // gRPC text must never reach a client.
        var pg = TestModels.NewGuid();
        var desired = TestModels.DesiredLrp(pg, 2);
        desired.EnvironmentVariables.Add(new EnvironmentVariable { Name = "HUGE", Value = new string('x', 2_000_000) });
        var revision = await server.StoreRevisionAsync();

        var error = await TestModels.ThrowsBbsAsync(() => Client.DesireLrpAsync(desired), Error.Types.Type.InvalidRequest);

        Assert.Contains("/v1/desired_lrp/", error.Error.Message, StringComparison.Ordinal);
        Assert.Contains("max_record_bytes", error.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("grpc", error.Error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(revision, await server.StoreRevisionAsync());
        await TestModels.ThrowsBbsAsync(() => Client.DesiredLrpByProcessGuidAsync(pg), Error.Types.Type.ResourceNotFound);
    }

    [Fact]
    public async Task ADesiredLrpIsReadBackWithTheFieldsItWasDesiredWith()
    {
        var pg = TestModels.NewGuid();
        var desired = TestModels.DesiredLrp(pg, 3);
        desired.MetricsGuid = "metrics-" + pg;

        await Client.DesireLrpAsync(desired);
        var lrp = await Client.DesiredLrpByProcessGuidAsync(pg);

        Assert.Equal(pg, lrp.ProcessGuid);
        Assert.Equal(desired.Domain, lrp.Domain);
        Assert.Equal(desired.LogGuid, lrp.LogGuid);
        Assert.Equal(desired.RootFs, lrp.RootFs);
        Assert.Equal(3, lrp.Instances);
        Assert.Equal(desired.MemoryMb, lrp.MemoryMb);
        Assert.Equal(desired.DiskMb, lrp.DiskMb);
        Assert.Equal(desired.Ports, lrp.Ports);
        Assert.Equal(desired.Routes, lrp.Routes);
        Assert.Equal(desired.Action, lrp.Action);
        Assert.Equal(desired.MetricsGuid, lrp.MetricsGuid);
        Assert.NotNull(lrp.ModificationTag);
        Assert.NotEmpty(lrp.ModificationTag.Epoch);
        Assert.Equal(0u, lrp.ModificationTag.Index);
    }

    [Theory]
    [InlineData("/v1/desired_lrps/get_by_process_guid")]
    [InlineData("/v1/desired_lrps/get_by_process_guid.r1")]
    [InlineData("/v1/desired_lrps/get_by_process_guid.r2")]
    [InlineData("/v1/desired_lrps/get_by_process_guid.r3")]
    public async Task EveryRevisionOfTheGetterAnswersTheSameDesiredLrp(string path)
    {
        var pg = TestModels.NewGuid();
        await Client.DesireLrpAsync(TestModels.DesiredLrp(pg, 1));
        var expected = await Client.DesiredLrpByProcessGuidAsync(pg);

        using var response = await server.PostAsync(path, Protobuf.Body(new DesiredLRPByProcessGuidRequest { ProcessGuid = pg }));
        var answer = await Protobuf.ReadAsync<DesiredLRPResponse>(response);

        Assert.Null(answer.Error);
        Assert.Equal(expected, answer.DesiredLrp);
    }

    [Fact]
    public async Task DesiringCreatesOneUnclaimedInstancePerIndexWithFreshEpochs()
    {
        var pg = TestModels.NewGuid();
        var before = ApiSupport.NowUnixNanos();

        await Client.DesireLrpAsync(TestModels.DesiredLrp(pg, 3));

        var after = ApiSupport.NowUnixNanos();
        var instances = await InstancesAsync(pg);
        Assert.Equal([0, 1, 2], instances.Select(a => a.ActualLrpKey.Index));
        Assert.All(instances, a =>
        {
            Assert.Equal("UNCLAIMED", a.State);
            Assert.Equal(pg, a.ActualLrpKey.ProcessGuid);
            Assert.Equal(TestModels.Domain, a.ActualLrpKey.Domain);
            Assert.InRange(a.Since, before - SinceTolerance.Ticks * 100, after + SinceTolerance.Ticks * 100);
            Assert.NotEmpty(a.ModificationTag.Epoch);
            Assert.Equal(0u, a.ModificationTag.Index);
            Assert.Empty(a.ActualLrpInstanceKey?.CellId ?? string.Empty);
        });
        Assert.Equal(3, instances.Select(a => a.ModificationTag.Epoch).Distinct().Count());
    }

    [Fact]
    public async Task DesiringSendsOneAuctionForAllItsIndices()
    {
        var pg = TestModels.NewGuid();
        var desired = TestModels.DesiredLrp(pg, 3);

        await Client.DesireLrpAsync(desired);
        await server.Auctioneer.WaitForLrpAuctionAsync(pg, 2);

        var auction = Assert.Single(server.Auctioneer.LrpAuctions, a => a.ProcessGuid == pg);
        Assert.Equal([0, 1, 2], auction.Indices.Order());
        Assert.Equal(TestModels.Domain, auction.Domain);
        Assert.Equal(desired.RootFs, auction.Json.GetProperty("rootfs").GetString());
        Assert.Equal(desired.MemoryMb, auction.Json.GetProperty("memory_mb").GetInt32());
        Assert.Equal(desired.DiskMb, auction.Json.GetProperty("disk_mb").GetInt32());
    }

    [Fact]
    public async Task DesiringAnExistingProcessGuidAgainIsResourceExists()
    {
        var pg = TestModels.NewGuid();
        await Client.DesireLrpAsync(TestModels.DesiredLrp(pg, 1));

        var ex = await TestModels.ThrowsBbsAsync(() => Client.DesireLrpAsync(TestModels.DesiredLrp(pg, 2)), Error.Types.Type.ResourceExists);

        Assert.Equal("the requested resource already exists", ex.Error.Message);
        Assert.Equal(1, (await Client.DesiredLrpByProcessGuidAsync(pg)).Instances);
        Assert.Single(await InstancesAsync(pg));
    }

    [Fact]
    public async Task ConcurrentDesiresOfOneProcessGuidLetExactlyOneWin()
    {
        var pg = TestModels.NewGuid();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            try
            {
                await Client.DesireLrpAsync(TestModels.DesiredLrp(pg, 2));
                return (Error.Types.Type?)null;
            }
            catch (BbsException ex)
            {
                return ex.Type;
            }
        }));

        Assert.Single(outcomes, o => o is null);
        Assert.All(outcomes.Where(o => o is not null), o => Assert.Equal(Error.Types.Type.ResourceExists, o));
        Assert.Equal([0, 1], (await InstancesAsync(pg)).Select(a => a.ActualLrpKey.Index));
    }

    [Fact]
    public async Task DesiringMoreInstancesThanOneEtcdTransactionHoldsCreatesThemAll()
    {
        var pg = TestModels.NewGuid();

        await Client.DesireLrpAsync(TestModels.DesiredLrp(pg, 300));

        var instances = await InstancesAsync(pg);
        Assert.Equal(Enumerable.Range(0, 300), instances.Select(a => a.ActualLrpKey.Index));
        Assert.All(instances, a => Assert.Equal("UNCLAIMED", a.State));
        await server.Auctioneer.WaitForLrpAuctionAsync(pg, 299);
        Assert.Equal(Enumerable.Range(0, 300), server.Auctioneer.LrpAuctions.Where(a => a.ProcessGuid == pg).SelectMany(a => a.Indices).Order());
    }

    [Fact]
    public async Task ListsFilterByDomainAndProcessGuids()
    {
        var domainA = TestModels.NewGuid("domain");
        var domainB = TestModels.NewGuid("domain");
        var (pg1, pg2, pg3) = (TestModels.NewGuid(), TestModels.NewGuid(), TestModels.NewGuid());
        await Client.DesireLrpAsync(TestModels.DesiredLrp(pg1, 1, domainA));
        await Client.DesireLrpAsync(TestModels.DesiredLrp(pg2, 2, domainA));
        await Client.DesireLrpAsync(TestModels.DesiredLrp(pg3, 1, domainB));
        var byDomain = new DesiredLrpFilter(Domain: domainA);
        var byGuids = new DesiredLrpFilter(ProcessGuids: [pg1, pg3]);

        Assert.Equal(Sorted(pg1, pg2), Sorted([.. (await Client.DesiredLrpsAsync(byDomain)).Select(d => d.ProcessGuid)]));
        Assert.Equal(Sorted(pg1, pg3), Sorted([.. (await Client.DesiredLrpsAsync(byGuids)).Select(d => d.ProcessGuid)]));
        Assert.Equal([pg1], (await Client.DesiredLrpsAsync(new DesiredLrpFilter(domainA, [pg1, pg3]))).Select(d => d.ProcessGuid));
        Assert.Equal(Sorted(pg1, pg2), Sorted([.. (await Client.DesiredLrpSchedulingInfosAsync(byDomain)).Select(i => i.DesiredLrpKey.ProcessGuid)]));
        Assert.Equal(Sorted(pg1, pg3), Sorted([.. (await Client.DesiredLrpSchedulingInfosAsync(byGuids)).Select(i => i.DesiredLrpKey.ProcessGuid)]));
        Assert.Equal(Sorted(pg1, pg2), Sorted([.. (await Client.DesiredLrpRoutingInfosAsync(byDomain)).Select(d => d.ProcessGuid)]));
        Assert.Equal(Sorted(pg1, pg3), Sorted([.. (await Client.DesiredLrpRoutingInfosAsync(byGuids)).Select(d => d.ProcessGuid)]));
    }

    [Fact]
    public async Task RoutingInfosCarryOnlyTheRoutingFields()
    {
        var domain = TestModels.NewGuid("domain");
        var pg = TestModels.NewGuid();
        var desired = TestModels.DesiredLrp(pg, 2, domain);
        await Client.DesireLrpAsync(desired);
        var full = await Client.DesiredLrpByProcessGuidAsync(pg);

        var info = Assert.Single(await Client.DesiredLrpRoutingInfosAsync(new DesiredLrpFilter(Domain: domain)));

        Assert.Equal(pg, info.ProcessGuid);
        Assert.Equal(domain, info.Domain);
        Assert.Equal(2, info.Instances);
        Assert.Equal(desired.Routes, info.Routes);
        Assert.Equal(full.ModificationTag, info.ModificationTag);
        Assert.Null(info.Action);
        Assert.Empty(info.RootFs);
        Assert.Empty(info.Ports);
        Assert.Equal(0, info.MemoryMb);
    }

    [Fact]
    public async Task TheSchedulingInfoOfAProcessGuidIsItsPlacementAndRoutingPart()
    {
        var pg = TestModels.NewGuid();
        var desired = TestModels.DesiredLrp(pg, 2);
        desired.Annotation = "annotated";
        await Client.DesireLrpAsync(desired);
        var full = await Client.DesiredLrpByProcessGuidAsync(pg);

        var info = await Client.DesiredLrpSchedulingInfoByProcessGuidAsync(pg);

        Assert.Equal(new DesiredLRPKey { ProcessGuid = pg, Domain = desired.Domain, LogGuid = desired.LogGuid }, info.DesiredLrpKey);
        Assert.Equal(2, info.Instances);
        Assert.Equal("annotated", info.Annotation);
        Assert.Equal(desired.RootFs, info.DesiredLrpResource.RootFs);
        Assert.Equal(desired.MemoryMb, info.DesiredLrpResource.MemoryMb);
        Assert.Equal(desired.DiskMb, info.DesiredLrpResource.DiskMb);
        Assert.Equal(desired.Routes, info.Routes);
        Assert.Equal(full.ModificationTag, info.ModificationTag);
        await TestModels.ThrowsBbsAsync(() => Client.DesiredLrpSchedulingInfoByProcessGuidAsync(TestModels.NewGuid()), Error.Types.Type.ResourceNotFound);
    }

    [Fact]
    public async Task ScalingUpCreatesAndAuctionsTheNewIndices()
    {
        var pg = TestModels.NewGuid();
        await Client.DesireLrpAsync(TestModels.DesiredLrp(pg, 3));
        await server.Auctioneer.WaitForLrpAuctionAsync(pg, 2);
        var original = await InstancesAsync(pg);

        await Client.UpdateDesiredLrpAsync(pg, new DesiredLRPUpdate { Instances = 5 });

        var instances = await InstancesAsync(pg);
        Assert.Equal([0, 1, 2, 3, 4], instances.Select(a => a.ActualLrpKey.Index));
        Assert.All(instances.Skip(3), a => Assert.Equal("UNCLAIMED", a.State));
        Assert.Equal(original, instances.Take(3));
        await server.Auctioneer.WaitForLrpAuctionAsync(pg, 4);
        var auction = Assert.Single(server.Auctioneer.LrpAuctions, a => a.ProcessGuid == pg && a.Indices.Any(i => i >= 3));
        Assert.Equal([3, 4], auction.Indices.Order());
        Assert.Equal(5, (await Client.DesiredLrpByProcessGuidAsync(pg)).Instances);
    }

    [Fact]
    public async Task ScalingDownRemovesTheExtraIndicesAndStopsTheRunningOne()
    {
        var pg = TestModels.NewGuid();
        var cellId = TestModels.NewGuid("cell");
        await server.RegisterCellAsync(cellId);
        await Client.DesireLrpAsync(TestModels.DesiredLrp(pg, 5));
        var instanceKey = TestModels.InstanceKey(cellId);
        await Client.ClaimActualLrpAsync(pg, 4, instanceKey);
        await Client.StartActualLrpAsync(TestModels.Key(pg, 4), instanceKey, TestModels.NetInfo());
        Assert.Equal("RUNNING", (await Client.InstanceAsync(pg, 4)).State);

        await Client.UpdateDesiredLrpAsync(pg, new DesiredLRPUpdate { Instances = 2 });

        Assert.Equal([0, 1], (await InstancesAsync(pg)).Select(a => a.ActualLrpKey.Index));
        await server.Rep.WaitForStopAsync(pg, instanceKey.InstanceGuid);
        Assert.Single(server.Rep.Stops, s => s.ProcessGuid == pg);
        Assert.Equal(2, (await Client.DesiredLrpByProcessGuidAsync(pg)).Instances);
    }

    [Fact]
    public async Task UpdatingRoutesAndAnnotationChangesTheSchedulingInfoAndItsModificationIndex()
    {
        var pg = TestModels.NewGuid();
        await Client.DesireLrpAsync(TestModels.DesiredLrp(pg, 1));
        var before = await Client.DesiredLrpSchedulingInfoByProcessGuidAsync(pg);
        var routes = new ProtoRoutes();
        routes.Routes["cf-router"] = ByteString.CopyFromUtf8("[{\"hostnames\":[\"new.example.com\"],\"port\":8080}]");

        await Client.UpdateDesiredLrpAsync(pg, new DesiredLRPUpdate { Routes = routes, Annotation = "new annotation" });

        var after = await Client.DesiredLrpSchedulingInfoByProcessGuidAsync(pg);
        Assert.Equal(routes, after.Routes);
        Assert.Equal("new annotation", after.Annotation);
        Assert.Equal(1, after.Instances);
        Assert.Equal(before.ModificationTag.Epoch, after.ModificationTag.Epoch);
        Assert.Equal(before.ModificationTag.Index + 1, after.ModificationTag.Index);
        var lrp = await Client.DesiredLrpByProcessGuidAsync(pg);
        Assert.Equal(routes, lrp.Routes);
        Assert.Equal("new annotation", lrp.Annotation);
        Assert.Equal(after.ModificationTag, lrp.ModificationTag);
        Assert.Single(await InstancesAsync(pg));
    }

    [Fact]
    public async Task UpdatingAMissingProcessGuidIsResourceNotFound()
    {
        await TestModels.ThrowsBbsAsync(() => Client.UpdateDesiredLrpAsync(TestModels.NewGuid(), new DesiredLRPUpdate { Instances = 2 }), Error.Types.Type.ResourceNotFound);
    }

    [Fact]
    public async Task AnUpdateRequestWithoutAnUpdateIsAnsweredInBandAndChangesNoInstances()
    {
        var pg = TestModels.NewGuid();
        await Client.DesireLrpAsync(TestModels.DesiredLrp(pg, 2));

        using var response = await server.PostAsync("/v1/desired_lrp/update", Protobuf.Body(new UpdateDesiredLRPRequest { ProcessGuid = pg }));

        await Protobuf.ReadAsync<DesiredLRPLifecycleResponse>(response);
        Assert.Equal(2, (await Client.DesiredLrpByProcessGuidAsync(pg)).Instances);
        Assert.Equal([0, 1], (await InstancesAsync(pg)).Select(a => a.ActualLrpKey.Index));
    }

    [Fact]
    public async Task RemovingADesiredLrpRemovesAllItsInstancesAndStopsTheRunningOne()
    {
        var pg = TestModels.NewGuid();
        var cellId = TestModels.NewGuid("cell");
        await server.RegisterCellAsync(cellId);
        await Client.DesireLrpAsync(TestModels.DesiredLrp(pg, 3));
        var running = TestModels.InstanceKey(cellId);
        await Client.ClaimActualLrpAsync(pg, 0, running);
        await Client.StartActualLrpAsync(TestModels.Key(pg, 0), running, TestModels.NetInfo());
        await Client.ClaimActualLrpAsync(pg, 1, TestModels.InstanceKey(cellId));

        await Client.RemoveDesiredLrpAsync(pg);

        await TestModels.ThrowsBbsAsync(() => Client.DesiredLrpByProcessGuidAsync(pg), Error.Types.Type.ResourceNotFound);
        await TestModels.ThrowsBbsAsync(() => Client.DesiredLrpSchedulingInfoByProcessGuidAsync(pg), Error.Types.Type.ResourceNotFound);
        Assert.Empty(await Client.ActualLrpsAsync(new ActualLrpFilter(ProcessGuid: pg)));
        for (var index = 0; index < 3; index++)
        {
            var i = index;
            await TestModels.ThrowsBbsAsync(() => Client.ActualLrpGroupByProcessGuidAndIndexAsync(pg, i), Error.Types.Type.ResourceNotFound);
        }

        var store = server.GetService<IKeyValueStore>();
        Assert.Empty((await store.RangeAsync($"/v1/actual/{pg}/", 0, CancellationToken.None)).Kvs);
        Assert.Empty((await store.RangeAsync($"/v1/desired_lrp/schedule/{pg}", 0, CancellationToken.None)).Kvs);
        Assert.Empty((await store.RangeAsync($"/v1/desired_lrp/run/{pg}", 0, CancellationToken.None)).Kvs);
        await server.Rep.WaitForStopAsync(pg, running.InstanceGuid);
    }

    [Fact]
    public async Task RemovingAMissingProcessGuidIsResourceNotFound()
    {
        await TestModels.ThrowsBbsAsync(() => Client.RemoveDesiredLrpAsync(TestModels.NewGuid()), Error.Types.Type.ResourceNotFound);
    }

    [Fact]
    public async Task AnInvalidProcessGuidAndMissingRootfsAreRefusedWithBbsValidationTextAndNothingIsWritten()
    {
        var desired = TestModels.DesiredLrp("a b", 1);
        desired.RootFs = string.Empty;
        var revision = await server.StoreRevisionAsync();

        var ex = await TestModels.ThrowsBbsAsync(() => Client.DesireLrpAsync(desired), Error.Types.Type.InvalidRequest);

        // BBS checks rootfs for emptiness and for a scheme separately, so an empty one is reported twice.
        Assert.Equal("Invalid field: process_guid, Invalid field: rootfs, Invalid field: rootfs", ex.Error.Message);
        Assert.Equal(revision, await server.StoreRevisionAsync());
    }

    [Fact]
    public async Task AMissingActionAndNegativeInstancesAreRefusedWithBbsValidationTextAndNothingIsWritten()
    {
        var desired = TestModels.DesiredLrp(TestModels.NewGuid(), -1);
        desired.Action = null;
        var revision = await server.StoreRevisionAsync();

        var ex = await TestModels.ThrowsBbsAsync(() => Client.DesireLrpAsync(desired), Error.Types.Type.InvalidRequest);

        Assert.Equal("invalid action type, Invalid field: instances", ex.Error.Message);
        Assert.Equal(revision, await server.StoreRevisionAsync());
        await TestModels.ThrowsBbsAsync(() => Client.DesiredLrpByProcessGuidAsync(desired.ProcessGuid), Error.Types.Type.ResourceNotFound);
    }

    private static string[] Sorted(params string[] values) => [.. values.Order(StringComparer.Ordinal)];

    /// <summary>The instance (not evacuating) records of the process guid, by index.</summary>
    private async Task<List<ActualLRP>> InstancesAsync(string processGuid) =>
        [.. (await Client.ActualLrpsAsync(new ActualLrpFilter(ProcessGuid: processGuid)))
            .Where(a => a.Presence != ActualLRP.Types.Presence.Evacuating)
            .OrderBy(a => a.ActualLrpKey.Index)];
}

public sealed class EmbeddedDesiredLrpTests(EmbeddedBbsServer server) : DesiredLrpTests<EmbeddedBbsServer>(server), IClassFixture<EmbeddedBbsServer>;

public sealed class EtcdDesiredLrpTests(EtcdBbsServer server) : DesiredLrpTests<EtcdBbsServer>(server), IClassFixture<EtcdBbsServer>;
