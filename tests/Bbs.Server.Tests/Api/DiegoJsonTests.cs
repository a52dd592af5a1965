using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Bbs.Models;
using Bbs.Server.Tests.Events;
using Bbs.Server.Tests.Support;
using Google.Protobuf;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Api;

/// <summary>
/// Issue 14, over real HTTP on both stores: the JSON API speaks Diego's JSON (what cfdot prints and takes), input is
/// strict and says what is wrong, and content types follow decision 3 (JSON when asked, protobuf otherwise).
/// </summary>
public abstract class DiegoJsonTests<TServer>(TServer server)
    where TServer : BbsServer
{
    private static readonly string Fixture = System.IO.File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "GoJson", "diego-desired-lrp.json"));

    private static readonly byte[] Golden = Convert.FromHexString(string.Concat(System.IO.File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "GoJson", "diego-desired-lrp.hex"))));

    [Fact]
    public async Task ADiegoDesiredLrpDesiredInJsonReadsBackIdenticallyAndAsTheGoClientsBytes()
    {
        var desired = JsonNode.Parse(Fixture)!["desired_lrp"]!.AsObject();
        var guid = (string)desired["process_guid"]!;
        using (var desire = await server.PostAsync("/v1/desired_lrp/desire.r2", Protobuf.Json(Fixture)))
        {
            Assert.Equal("{}", await desire.Content.ReadAsStringAsync());
        }

        using var json = await server.PostAsync("/v1/desired_lrps/get_by_process_guid.r2", Protobuf.Json($$"""{"process_guid":"{{guid}}"}"""));
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        var readBack = JsonNode.Parse(await json.Content.ReadAsStringAsync())!["desired_lrp"]!.AsObject();

        // The server gives the LRP its own modification tag (a new epoch, index 0), as BBS does; everything else is the same.
        Assert.Equal(0, (int)readBack["modification_tag"]!["index"]!);
        readBack.Remove("modification_tag");
        desired.Remove("modification_tag");
        Assert.True(JsonNode.DeepEquals(desired, readBack), $"read back:{Environment.NewLine}{readBack.ToJsonString()}");

        using var protobuf = await server.PostAsync("/v1/desired_lrps/get_by_process_guid.r2", Protobuf.Body(new DesiredLRPByProcessGuidRequest { ProcessGuid = guid }));
        var stored = (await Protobuf.ReadAsync<DesiredLRPResponse>(protobuf)).DesiredLrp;
        var sent = DesireLRPRequest.Parser.ParseFrom(Golden).DesiredLrp;
        stored.ModificationTag = sent.ModificationTag;

        // Reads fill E16's metrics_guid from metric_tags.source_id, as NEW BBS does for older clients (not a Go JSON member).
        Assert.Equal("9f3a1c2e-5b7d-4e8f-a1b2-c3d4e5f60718", stored.MetricsGuid);
        stored.MetricsGuid = string.Empty;
        Assert.Equal(Convert.ToHexStringLower(sent.ToByteArray()), Convert.ToHexStringLower(stored.ToByteArray()));
    }

    [Fact]
    public async Task AnActualLrpListInJsonHasTopLevelProcessGuidAndIndexZero()
    {
        var guid = Guid.NewGuid().ToString();
        await server.Client.DesireLrpAsync(TestModels.DesiredLrp(guid, instances: 1));

        using var response = await server.PostAsync("/v1/actual_lrps/list", Protobuf.Json($$"""{"process_guid":"{{guid}}"}"""));
        var lrp = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["actual_lrps"]![0]!.AsObject();

        Assert.Equal(guid, (string?)lrp["process_guid"]);
        Assert.True(lrp.ContainsKey("index"));
        Assert.Equal(0, (int)lrp["index"]!);
        Assert.Equal("UNCLAIMED", (string?)lrp["state"]);
        Assert.Equal("ORDINARY", (string?)lrp["presence"]);
        Assert.Equal(System.Text.Json.JsonValueKind.Number, JsonValueKindOf(lrp["since"]));
        Assert.False(lrp.ContainsKey("actual_lrp_key"));
    }

    [Fact]
    public async Task ATypoIsAnInvalidRequestThatNamesTheFieldAndWritesNothing()
    {
        var revision = await server.StoreRevisionAsync();

        using var response = await server.PostAsync("/v1/desired_lrp/desire.r2", Protobuf.Json("""{"desired_lrp":{"process_guid":"typo","domain":"d","rootfs":"a:b","instance":3}}"""));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("InvalidRequest", (string?)error["type"]);
        Assert.Equal("desired_lrp.instance: unknown field, did you mean \"instances\"?", (string?)error["message"]);
        Assert.Equal(revision, await server.StoreRevisionAsync());
    }

    [Theory]
    [InlineData("application/octet-stream")]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task ProtobufIsReadWhateverTheContentTypeSaysUnlessItIsJson(string? contentType)
    {
        var body = new ByteArrayContent(new UpsertDomainRequest { Domain = "octet-" + Guid.NewGuid().ToString("N")[..8], Ttl = 60 }.ToByteArray());
        body.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);

        using var response = await server.PostAsync("/v1/domains/upsert", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        Assert.Null((await Protobuf.ReadAsync<UpsertDomainResponse>(response)).Error);
    }

    [Theory]
    [InlineData("/v1/ping", "available")]
    [InlineData("/v1/domains/list", null)]
    [InlineData("/v1/cells/list.r1", null)]
    public async Task AcceptJsonOnARouteWithoutABodyAnswersJson(string path, string? member)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative));
        request.Headers.Accept.ParseAdd("application/json");

        using var response = await server.Http.SendAsync(request);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(json.ContainsKey("error"));
        if (member is not null)
        {
            Assert.True((bool)json[member]!);
        }
    }

    [Fact]
    public async Task AJsonEventStreamCarriesDiegoJsonWithTheSameIdsAndResume()
    {
        var guid = Guid.NewGuid().ToString();
        await using var json = await RawEventStream.OpenAsync(server.Http, HttpMethod.Get, "/v1/events/lrp_instances.r1", accept: "application/json");
        await using var protobuf = await RawEventStream.OpenAsync(server.Http, HttpMethod.Get, "/v1/events/lrp_instances.r1");
        await server.Client.DesireLrpAsync(TestModels.DesiredLrp(guid, instances: 1));

        var jsonEvents = await NextForAsync(json, guid, count: 2, asJson: true);
        var protobufEvents = await NextForAsync(protobuf, guid, count: 2, asJson: false);

        Assert.Equal(protobufEvents.Select(e => (e.Id, e.Name)), jsonEvents.Select(e => (e.Id, e.Name)));
        Assert.Equal(protobufEvents.Select(e => e.Message), jsonEvents.Select(e => e.Message));
        Assert.Equal(["actual_lrp_instance_created", "desired_lrp_created"], jsonEvents.Select(e => e.Name).Order(StringComparer.Ordinal));

        await using var resumed = await RawEventStream.OpenAsync(server.Http, HttpMethod.Get, "/v1/events/lrp_instances.r1", lastEventId: jsonEvents[0].Id, accept: "application/json");
        await server.Client.RemoveDesiredLrpAsync(guid);
        var afterResume = await NextForAsync(resumed, guid, count: 1, asJson: true);
        Assert.Equal(jsonEvents[1].Id, afterResume[0].Id);
    }

    private static async Task<List<Bbs.Client.Events.BbsStreamEvent>> NextForAsync(RawEventStream stream, string guid, int count, bool asJson)
    {
        var events = new List<Bbs.Client.Events.BbsStreamEvent>();
        while (events.Count < count)
        {
            var frame = await stream.NextFrameAsync() ?? throw new InvalidOperationException("the stream ended");
            var e = asJson ? RawEventStream.ParseJson(frame) : RawEventStream.Decode(RawEventStream.Parse(frame));
            if (e.Message?.ToString()?.Contains(guid, StringComparison.Ordinal) == true)
            {
                events.Add(e);
            }
        }

        return events;
    }

    private static System.Text.Json.JsonValueKind JsonValueKindOf(JsonNode? node) => node?.GetValueKind() ?? System.Text.Json.JsonValueKind.Null;
}

public sealed class EmbeddedDiegoJsonTests(EmbeddedBbsServer server) : DiegoJsonTests<EmbeddedBbsServer>(server), IClassFixture<EmbeddedBbsServer>;

public sealed class EtcdDiegoJsonTests(EtcdBbsServer server) : DiegoJsonTests<EtcdBbsServer>(server), IClassFixture<EtcdBbsServer>;
