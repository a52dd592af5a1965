using System.Net;
using Bbs.Models;
using Bbs.Server.Tests.Support;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Events;

/// <summary>The event streams' wire form, read as bytes (bbs-protocol.md §6 and §12 "Event streams").</summary>
public abstract class EventStreamWireTests<TServer>(TServer server)
    where TServer : BbsServer
{
    public static TheoryData<string, string> Routes => new()
    {
        { "GET", "/v1/events" },
        { "POST", "/v1/events.r1" },
        { "GET", "/v1/events/lrp_instances.r1" },
        { "POST", "/v1/events/lrp_instances" },
        { "GET", "/v1/events/tasks.r1" },
        { "POST", "/v1/events/tasks" },
    };

    protected TServer Server { get; } = server;

    [Fact]
    public async Task TheStreamAnswersWithBbssHeadersAndFramesEachEventAsIdEventAndBase64Data()
    {
        await using var raw = await RawEventStream.OpenAsync(Server.Http, HttpMethod.Get, "/v1/events.r1");
        var response = raw.Response;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream; charset=utf-8", Assert.Single(response.Content.Headers.NonValidated["Content-Type"]));
        Assert.Equal("no-cache, no-store, must-revalidate", Assert.Single(response.Headers.NonValidated["Cache-Control"]));
        Assert.Equal("keep-alive", Assert.Single(response.Headers.NonValidated["Connection"]));
        Assert.True(response.Headers.TransferEncodingChunked);

        var guid = TestModels.NewGuid();
        await Server.Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));

        // Other writers' events may come first; every frame has the exact form, and ours come in order.
        var ours = new List<(string Id, string Name, byte[] Data)>();
        while (ours.Count < 2)
        {
            var frame = await raw.NextFrameAsync();
            Assert.NotNull(frame);
            var parsed = RawEventStream.Parse(frame);
            if (EventReader.GuidOf(RawEventStream.Decode(parsed)) == guid)
            {
                ours.Add(parsed);
            }
        }

        Assert.Equal("desired_lrp_created", ours[0].Name);
        var created = DesiredLRPCreatedEvent.Parser.ParseFrom(ours[0].Data);
        Assert.Equal(guid, created.DesiredLrp.ProcessGuid);
        Assert.Equal(1, created.DesiredLrp.Instances);
        Assert.Equal("actual_lrp_created", ours[1].Name);
        var actual = ActualLRPCreatedEvent.Parser.ParseFrom(ours[1].Data);
        Assert.Equal(guid, actual.ActualLrpGroup.Instance.ActualLrpKey.ProcessGuid);
        Assert.Equal("UNCLAIMED", actual.ActualLrpGroup.Instance.State);
        Assert.True(EventReader.Position(ours[0].Id).CompareTo(EventReader.Position(ours[1].Id)) < 0);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task EveryEventRouteAnswersOnGetAndPost(string method, string path)
    {
        await using var raw = await RawEventStream.OpenAsync(Server.Http, HttpMethod.Parse(method), path, path.Contains("tasks", StringComparison.Ordinal) ? null : new EventsByCellId());

        Assert.Equal(HttpStatusCode.OK, raw.Response.StatusCode);
        Assert.Equal("text/event-stream; charset=utf-8", Assert.Single(raw.Response.Content.Headers.NonValidated["Content-Type"]));
    }

    [Theory]
    [InlineData("GET", "/v1/events.r1")]
    [InlineData("POST", "/v1/events.r1")]
    [InlineData("GET", "/v1/events/lrp_instances.r1")]
    [InlineData("POST", "/v1/events/lrp_instances.r1")]
    public async Task AMalformedCellFilterIsAnswered500WithAnEmptyBody(string method, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Parse(method), new Uri(path, UriKind.Relative)) { Content = Protobuf.Raw([0xff, 0xff, 0xff]) };
        using var response = await Server.Http.SendAsync(request).WaitAsync(EventReader.Timeout);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task TheTaskStreamIgnoresItsBody()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/events/tasks.r1", UriKind.Relative)) { Content = Protobuf.Raw([0xff, 0xff, 0xff]) };
        using var response = await Server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(EventReader.Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

}

public sealed class EmbeddedEventStreamWireTests(EmbeddedBbsServer server) : EventStreamWireTests<EmbeddedBbsServer>(server), IClassFixture<EmbeddedBbsServer>;

public sealed class EtcdEventStreamWireTests(EtcdBbsServer server) : EventStreamWireTests<EtcdBbsServer>(server), IClassFixture<EtcdBbsServer>;
