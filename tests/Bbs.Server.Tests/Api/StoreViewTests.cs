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
