using System.Net;
using Bbs.Models;
using Google.Protobuf;
using Bbs.Server.Tests.Support;
using Bbs.Store.View;
using Microsoft.Extensions.DependencyInjection;
using Bbs.Testing.Etcd;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Api;

/// <summary>Reads come from the process's watch-fed view of the store, whole at one revision.</summary>
public abstract class StoreViewTests<TServer>(TServer server)
    where TServer : BbsServer
{
    [Fact]
    public async Task AListDuringABurstOfWritesIsASnapshotAtOneRevision()
    {
        // Each desire writes its LRP and all 4 of its instances in one transaction: a consistent list holds all of
        // an LRP's instances or none, however the lists and the writes interleave.
        var guids = Enumerable.Range(0, 30).Select(_ => TestModels.NewGuid()).ToList();
        var burst = Task.Run(async () =>
        {
            foreach (var guid in guids)
            {
                await server.Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 4));
            }
        });

        var partial = new List<string>();
        int lists = 0;
        while (!burst.IsCompleted || lists == 0)
        {
            var actual = await server.Client.ActualLrpsAsync();
            lists++;
            partial.AddRange(actual.Where(a => guids.Contains(a.ActualLrpKey.ProcessGuid))
                .GroupBy(a => a.ActualLrpKey.ProcessGuid)
                .Where(g => g.Count() != 4)
                .Select(g => $"{g.Key}: {g.Count()} of 4"));
        }

        await burst;
        var final = await server.Client.ActualLrpsAsync();

        Assert.Empty(partial);
        Assert.Equal(guids.Count * 4, final.Count(a => guids.Contains(a.ActualLrpKey.ProcessGuid)));
    }

    [Fact]
    public async Task TheActualLrpListWrittenFromStoredBytesIsByteForByteTheEncodedResponse()
    {
        var guid = TestModels.NewGuid();
        await server.Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 3));
        var cell = TestModels.InstanceKey("view-cell-" + guid[..8]);
        await server.Client.ClaimActualLrpAsync(guid, 1, cell);
        await server.Client.StartActualLrpAsync(TestModels.Key(guid, 2), cell, TestModels.NetInfo());

        using var raw = await server.PostAsync("/v1/actual_lrps/list", Protobuf.Body(new ActualLRPsRequest { ProcessGuid = guid }));
        var bytes = await raw.Content.ReadAsByteArrayAsync();
        var decoded = ActualLRPsResponse.Parser.ParseFrom(bytes);
        using var json = await server.PostAsync("/v1/actual_lrps/list", Protobuf.Json($"{{\"process_guid\":\"{guid}\"}}"));
        var fromJson = Bbs.Models.Json.GoJsonReader.Read<ActualLRPsResponse>(new System.Buffers.ReadOnlySequence<byte>(await json.Content.ReadAsByteArrayAsync())).Message;

        // Re-encoding what was decoded gives the same bytes: the list is exactly the message's encoding.
        Assert.Equal("application/x-protobuf", raw.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes.Length, raw.Content.Headers.ContentLength);
        Assert.Equal(decoded.ToByteArray(), bytes);
        Assert.Equal(3, decoded.ActualLrps.Count);
        Assert.Equal(["UNCLAIMED", "CLAIMED", "RUNNING"], decoded.ActualLrps.OrderBy(a => a.ActualLrpKey.Index).Select(a => a.State));
        Assert.All(decoded.ActualLrps, a => Assert.Equal(ActualLRP.Types.Presence.Ordinary, a.Presence));
        Assert.Equal(decoded, fromJson);
    }

    [Fact]
    public async Task TheTaskListByCellWrittenFromStoredBytesIsByteForByteTheEncodedResponse()
    {
        string cell = "view-task-cell-" + TestModels.NewGuid()[..8];
        var guids = Enumerable.Range(0, 3).Select(_ => TestModels.NewGuid()).ToList();
        foreach (var guid in guids)
        {
            await server.Client.DesireTaskAsync(guid, TestModels.Domain, Bbs.Server.Tests.Tasks.TaskTestSupport.Definition());
        }

        await server.Client.StartTaskAsync(guids[0], cell);
        await server.Client.StartTaskAsync(guids[2], cell);

        using var raw = await server.PostAsync("/v1/tasks/list.r3", Protobuf.Body(new TasksRequest { CellId = cell }));
        var bytes = await raw.Content.ReadAsByteArrayAsync();
        var decoded = TasksResponse.Parser.ParseFrom(bytes);

        Assert.Equal(decoded.ToByteArray(), bytes);
        Assert.Equal(new[] { guids[0], guids[2] }.Order(), decoded.Tasks.Select(t => t.TaskGuid).Order());
        Assert.All(decoded.Tasks, t => Assert.Equal(Bbs.Models.Task.Types.State.Running, t.State));
    }

    [Fact]
    public async Task TheSchedulingInfoListWrittenFromStoredBytesIsByteForByteTheEncodedResponse()
    {
        string domain = "view-domain-" + TestModels.NewGuid()[..8];
        var guids = Enumerable.Range(0, 3).Select(_ => TestModels.NewGuid()).ToList();
        foreach (var guid in guids)
        {
            var lrp = TestModels.DesiredLrp(guid, 1);
            lrp.Domain = domain;
            await server.Client.DesireLrpAsync(lrp);
        }

        using var raw = await server.PostAsync("/v1/desired_lrp_scheduling_infos/list", Protobuf.Body(new DesiredLRPsRequest { Domain = domain }));
        var bytes = await raw.Content.ReadAsByteArrayAsync();
        var decoded = DesiredLRPSchedulingInfosResponse.Parser.ParseFrom(bytes);
        var viaClient = await server.Client.DesiredLrpSchedulingInfosAsync(new Bbs.Client.DesiredLrpFilter(Domain: domain));

        Assert.Equal(decoded.ToByteArray(), bytes);
        Assert.Equal(guids.Order(), decoded.DesiredLrpSchedulingInfos.Select(i => i.DesiredLrpKey.ProcessGuid).Order());
        Assert.Equal(decoded.DesiredLrpSchedulingInfos, viaClient);
    }

    [Theory]
    [InlineData("/v1/desired_lrps/list")]
    [InlineData("/v1/desired_lrps/list.r1")]
    [InlineData("/v1/desired_lrps/list.r2")]
    [InlineData("/v1/desired_lrps/list.r3")]
    public async Task TheDesiredLrpListComposedFromStoredHalvesIsTheJoinOfEachDesiredLrpFilteredByDomainAndProcessGuids(string path)
    {
        string domain = "view-desired-" + TestModels.NewGuid()[..8], other = "view-other-" + TestModels.NewGuid()[..8];
        var guids = Enumerable.Range(0, 4).Select(_ => TestModels.NewGuid()).ToList();
        for (int i = 0; i < guids.Count; i++)
        {
            await server.Client.DesireLrpAsync(RichDesiredLrp(guids[i], i == 3 ? other : domain, i));
        }

        // metric tags replaced by an update: the list must show the run info as it is now.
        await server.Client.UpdateDesiredLrpAsync(guids[1], new DesiredLRPUpdate { Instances = 2, MetricTags = { ["source_id"] = new MetricTagValue { Static = "updated-source" } } });
        var joined = new Dictionary<string, DesiredLRP>();
        foreach (var guid in guids)
        {
            joined[guid] = await server.Client.DesiredLrpByProcessGuidAsync(guid);
        }

        var byDomain = await ListAsync(path, new DesiredLRPsRequest { Domain = domain });
        var byGuids = await ListAsync(path, new DesiredLRPsRequest { ProcessGuids = { guids[0], guids[3], "pg-not-desired" } });
        var both = await ListAsync(path, new DesiredLRPsRequest { Domain = domain, ProcessGuids = { guids[2], guids[3] } });
        var json = await ListJsonAsync(path, domain);

        Assert.Equal(guids.Take(3).Order(), byDomain.DesiredLrps.Select(d => d.ProcessGuid).Order());
        Assert.All(byDomain.DesiredLrps, d => Assert.Equal(joined[d.ProcessGuid], d));
        Assert.Equal(new[] { guids[0], guids[3] }.Order(), byGuids.DesiredLrps.Select(d => d.ProcessGuid).Order());
        Assert.All(byGuids.DesiredLrps, d => Assert.Equal(joined[d.ProcessGuid], d));
        Assert.Equal(joined[guids[2]], Assert.Single(both.DesiredLrps));
        Assert.Equal("updated-source", joined[guids[1]].MetricsGuid);

        // The JSON form is Diego's, which has none of E16's metrics_guid, start_timeout and legacy_download_user on a
        // desired LRP (decision 65): everything else is the same.
        var inGoForm = byDomain.Clone();
        foreach (var lrp in inGoForm.DesiredLrps)
        {
            lrp.MetricsGuid = string.Empty;
            lrp.StartTimeout = 0;
            lrp.LegacyDownloadUser = string.Empty;
        }

        Assert.Equal(inGoForm, json);
    }

    [Fact]
    public async Task TheRoutingInfoListComposedFromStoredHalvesHasTheRoutingFieldsOfTheJoin()
    {
        string domain = "view-routing-" + TestModels.NewGuid()[..8];
        var guids = Enumerable.Range(0, 3).Select(_ => TestModels.NewGuid()).ToList();
        for (int i = 0; i < guids.Count; i++)
        {
            await server.Client.DesireLrpAsync(RichDesiredLrp(guids[i], domain, i));
        }

        using var raw = await server.PostAsync("/v1/desired_lrp_routing_infos/list", Protobuf.Body(new DesiredLRPsRequest { Domain = domain, ProcessGuids = { guids[0], guids[2] } }));
        var bytes = await raw.Content.ReadAsByteArrayAsync();
        var listed = DesiredLRPsResponse.Parser.ParseFrom(bytes);

        Assert.Equal(listed.ToByteArray(), bytes);
        Assert.Equal(new[] { guids[0], guids[2] }.Order(), listed.DesiredLrps.Select(d => d.ProcessGuid).Order());
        foreach (var info in listed.DesiredLrps)
        {
            var full = await server.Client.DesiredLrpByProcessGuidAsync(info.ProcessGuid);
            var expected = new DesiredLRP
            {
                ProcessGuid = full.ProcessGuid,
                Domain = full.Domain,
                LogGuid = full.LogGuid,
                Instances = full.Instances,
                Routes = full.Routes,
                ModificationTag = full.ModificationTag,
                MetricsGuid = full.MetricsGuid,
                MetricTags = { full.MetricTags },
            };
            Assert.Equal(expected, info);
        }
    }

    private async Task<DesiredLRPsResponse> ListAsync(string path, DesiredLRPsRequest request)
    {
        using var raw = await server.PostAsync(path, Protobuf.Body(request));
        Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
        var bytes = await raw.Content.ReadAsByteArrayAsync();
        var decoded = DesiredLRPsResponse.Parser.ParseFrom(bytes);
        Assert.Null(decoded.Error);

        // Composed from canonical halves: exactly the bytes of encoding the response.
        Assert.Equal(decoded.ToByteArray(), bytes);
        return decoded;
    }

    private async Task<DesiredLRPsResponse> ListJsonAsync(string path, string domain)
    {
        using var raw = await server.PostAsync(path, Protobuf.Json($$"""{"domain":"{{domain}}"}"""));
        var read = Bbs.Models.Json.GoJsonReader.Read<DesiredLRPsResponse>(new System.Buffers.ReadOnlySequence<byte>(await raw.Content.ReadAsByteArrayAsync()));
        Assert.True(read.Error is null, read.Error);
        return read.Message!;
    }

    /// <summary>A desired LRP with every kind of field: old-era and NEW, metric tags (source_id or not), sidecars, image layers.</summary>
    private static DesiredLRP RichDesiredLrp(string guid, string domain, int variant)
    {
        var lrp = TestModels.DesiredLrp(guid, 1, domain);
        lrp.Annotation = "annotation-" + variant;
        lrp.MaxPids = 100 + variant;
        lrp.StartTimeout = 60;
        lrp.StartTimeoutMs = 60_000;
        lrp.Privileged = variant % 2 == 0;
        lrp.CpuWeight = 10;
        lrp.LogSource = "APP";
        lrp.MetricsGuid = "metrics-" + guid;
        lrp.LegacyDownloadUser = "vcap";
        lrp.TrustedSystemCertificatesPath = "/etc/cf-system-certificates";
        lrp.Setup = new Bbs.Models.Action { DownloadAction = new DownloadAction { From = "http://example.com/droplet", To = "/home/vcap", User = "vcap" } };
        lrp.Monitor = new Bbs.Models.Action { RunAction = new RunAction { Path = "/bin/healthcheck", User = "vcap" } };
        lrp.EnvironmentVariables.Add(new EnvironmentVariable { Name = "PORT", Value = "8080" });
        lrp.EgressRules.Add(new SecurityGroupRule { Protocol = "tcp", Destinations = { "10.0.0.0/8" }, Ports = { 443 } });
        lrp.CachedDependencies.Add(new CachedDependency { Name = "buildpack", From = "http://example.com/bp", To = "/tmp/bp", CacheKey = "bp" });
        lrp.PlacementTags.Add("blue");
        lrp.CertificateProperties = new CertificateProperties { OrganizationalUnit = { "app:" + guid } };
        lrp.ImageUsername = "user";
        lrp.ImagePassword = "secret";
        lrp.CheckDefinition = new CheckDefinition { Checks = { new Check { TcpCheck = new TCPCheck { Port = 8080 } } }, LogSource = "HEALTH" };
        lrp.ImageLayers.Add(new ImageLayer { Name = "layer", Url = "http://example.com/layer.tgz", DestinationPath = "/", LayerType = ImageLayer.Types.Type.Shared, MediaType = ImageLayer.Types.MediaType.Tgz });
        lrp.Sidecars.Add(new Sidecar { Action = new Bbs.Models.Action { RunAction = new RunAction { Path = "/bin/sidecar", User = "vcap" } }, MemoryMb = 32, DiskMb = 32 });
        lrp.LogRateLimit = new LogRateLimit { BytesPerSecond = 1 << 20 };
        lrp.VolumeMountedFiles.Add(new Bbs.Models.File { Path = "/etc/config", Content = "x=1" });
        lrp.Network = new Network { Properties = { ["policy_group"] = "g" } };
        // BBS takes a metrics_guid beside metric tags only when source_id names it: variant 2 is the old era (a
        // metrics_guid, no tags), odd variants have source_id and no metrics_guid (the list fills it in), 0 tags alone.
        if (variant != 2)
        {
            lrp.MetricsGuid = string.Empty;
            lrp.MetricTags["app_name"] = new MetricTagValue { Static = "app-" + variant };
            lrp.MetricTags["instance_index"] = new MetricTagValue { Dynamic = MetricTagValue.Types.DynamicValue.Index };
        }

        if (variant % 2 == 1)
        {
            lrp.MetricTags["source_id"] = new MetricTagValue { Static = "source-" + guid };
        }

        lrp.UpdateStrategy = variant % 2 == 0 ? DesiredLRP.Types.UpdateStrategy.Recreate : DesiredLRP.Types.UpdateStrategy.Rolling;
        return lrp;
    }

    [Fact]
    public async Task ReadyzNamesTheViewAndItsRevision()
    {
        using var http = server.Factory.CreateHttpClient();

        string body = await http.GetStringAsync(new Uri("/readyz", UriKind.Relative));

        Assert.Matches(@"view: \d+ keys at revision \d+", body);
    }
}

public sealed class EmbeddedStoreViewTests(EmbeddedBbsServer server) : StoreViewTests<EmbeddedBbsServer>(server), IClassFixture<EmbeddedBbsServer>;

public sealed class EtcdStoreViewTests(EtcdBbsServer server) : StoreViewTests<EtcdBbsServer>(server), IClassFixture<EtcdBbsServer>;

/// <summary>The view's life on a private etcd: not ready before it is loaded, and serving again after etcd restarts.</summary>
public sealed class StoreViewLifecycleTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [PrivateEtcdFact]
    public async Task ReadyzIsUnavailableUntilTheViewIsLoadedAndReadsFollowEtcdAcrossARestart()
    {
        await using var etcd = await EtcdServer.StartNewAsync(allowExternal: false);
        await etcd.StopAsync();
        await using var factory = new BbsServerFactory(new Dictionary<string, string?>
        {
            ["Bbs:store"] = "etcd",
            ["Bbs:etcd_endpoints"] = string.Join(',', etcd.ClientUrls),
        });
        using var http = factory.CreateHttpClient();

        using var before = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        string beforeBody = await before.Content.ReadAsStringAsync();
        await etcd.StartAsync();
        await EventuallyReadyAsync(http);
        using var client = new Bbs.Client.BbsClient(factory.CreateHttpClient());
        var first = TestModels.NewGuid();
        await client.DesireLrpAsync(TestModels.DesiredLrp(first, 1));

        // Kill etcd under the view's watch; after the restart, reads catch up and see writes from before and after.
        await etcd.StopAsync();
        await etcd.StartAsync();
        var second = TestModels.NewGuid();
        await DesireOnceTheStoreAnswersAsync(client, second);
        var listed = (await client.DesiredLrpsAsync()).Select(d => d.ProcessGuid).ToList();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        Assert.Contains("the store view is loading", beforeBody, StringComparison.Ordinal);
        Assert.Contains(first, listed);
        Assert.Contains(second, listed);
        Assert.Equal(1, factory.Services.GetRequiredService<KeyValueView>().Loads);
    }

    [PrivateEtcdFact]
    public async Task WhileEtcdIsDownReadsAndWritesAnswerTheTypedTimeoutErrorNotUnknownError()
    {
        await using var etcd = await EtcdServer.StartNewAsync(allowExternal: false);
        await using var factory = new BbsServerFactory(new Dictionary<string, string?>
        {
            ["Bbs:store"] = "etcd",
            ["Bbs:etcd_endpoints"] = string.Join(',', etcd.ClientUrls),
        });
        using var http = factory.CreateHttpClient();
        await EventuallyReadyAsync(http);
        using var client = new Bbs.Client.BbsClient(factory.CreateHttpClient());

        await etcd.StopAsync();
        var write = await Assert.ThrowsAsync<Bbs.Client.BbsException>(() => client.DesireLrpAsync(TestModels.DesiredLrp(TestModels.NewGuid(), 1)));
        var read = await Assert.ThrowsAsync<Bbs.Client.BbsException>(() => client.DesiredLrpsAsync());
        await etcd.StartAsync();
        var guid = TestModels.NewGuid();
        await DesireOnceTheStoreAnswersAsync(client, guid);

        Assert.Equal(Error.Types.Type.Timeout, write.Error.Type);
        Assert.Equal(Error.Types.Type.Timeout, read.Error.Type);
        Assert.Contains("the store is unavailable", write.Error.Message, StringComparison.Ordinal);
        Assert.Contains(guid, (await client.DesiredLrpsAsync()).Select(d => d.ProcessGuid));
    }

    /// <summary>Desires an LRP, trying again until the store (just restarted) answers.</summary>
    private static Task DesireOnceTheStoreAnswersAsync(Bbs.Client.BbsClient client, string guid) => EventuallyAsync(async () =>
    {
        try
        {
            await client.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));
            return true;
        }
        catch (Bbs.Client.BbsException)
        {
            return false;
        }
    });

    private static Task EventuallyReadyAsync(HttpClient http) => EventuallyAsync(async () =>
    {
        using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        return response.StatusCode == HttpStatusCode.OK;
    });

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(200);
        }
    }
}
