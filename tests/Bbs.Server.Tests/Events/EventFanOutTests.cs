using System.Diagnostics;
using Bbs.Models;
using Bbs.Server.Events;
using Bbs.Server.Tests.Support;
using static Bbs.Server.Tests.Events.EventReader;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Events;

/// <summary>The hub's fan-out: many subscribers see one order (decisions.md "Events").</summary>
public abstract class EventFanOutTests<TServer>(TServer server)
    where TServer : BbsServer
{
    protected TServer Server { get; } = server;

    [Fact]
    public async Task AHundredConcurrentSubscribersReceiveIdenticalOrderedStreamsForABurstOfWrites()
    {
        var readers = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => LrpsAsync(Server.Client)));
        try
        {
            var guids = Enumerable.Range(0, 10).Select(_ => TestModels.NewGuid()).ToArray();
            var cell = TestModels.InstanceKey(TestModels.NewGuid("cell"));

            // Concurrent writers: each desires 2 instances, then claims both. 10 × (1 + 2 + 2) events.
            await Task.WhenAll(guids.Select(async guid =>
            {
                await Server.Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 2));
                await Task.WhenAll(Server.Client.ClaimActualLrpAsync(guid, 0, cell), Server.Client.ClaimActualLrpAsync(guid, 1, cell));
            }));

            var streams = await Task.WhenAll(readers.Select(r => r.TakeForAsync(50, guids)));

            var reference = streams[0].Select(e => (e.Id, e.Name)).ToList();
            AssertStrictlyIncreasing(streams[0]);
            Assert.Equal(10, reference.Count(e => e.Name == "desired_lrp_created"));
            Assert.Equal(20, reference.Count(e => e.Name == "actual_lrp_created"));
            Assert.Equal(20, reference.Count(e => e.Name == "actual_lrp_changed"));
            Assert.All(streams, s => Assert.Equal(reference, s.Select(e => (e.Id, e.Name))));
            foreach (var guid in guids)
            {
                var ofGuid = streams[0].Where(e => GuidOf(e) == guid).Select(e => e.Name).ToList();
                Assert.Equal("desired_lrp_created", ofGuid[0]);
                Assert.Equal(4, ofGuid.Skip(1).Count(n => n.StartsWith("actual_lrp_", StringComparison.Ordinal)));
            }
        }
        finally
        {
            foreach (var reader in readers)
            {
                await reader.DisposeAsync();
            }
        }
    }
}

public sealed class EmbeddedEventFanOutTests(EmbeddedBbsServer server) : EventFanOutTests<EmbeddedBbsServer>(server), IClassFixture<EmbeddedBbsServer>;

public sealed class EtcdEventFanOutTests(EtcdBbsServer server) : EventFanOutTests<EtcdBbsServer>(server), IClassFixture<EtcdBbsServer>;

/// <summary>
/// A subscriber that stops reading is disconnected once it is event_subscriber_buffer (here 16) events behind, and
/// never holds up the others (decisions.md "Events"; bbs-protocol.md §6 "Hub behaviour").
/// </summary>
public abstract class SlowSubscriberTests<TServer>(TServer server)
    where TServer : BbsServer
{
    private const int Updates = 80;

    protected TServer Server { get; } = server;

    [Fact]
    public async Task AStalledSubscriberIsDroppedWhileAnotherKeepsReceivingEverything()
    {
        var hub = Server.GetService<EventHub>();
        var droppedBefore = hub.DroppedSubscribers;
        var guid = TestModels.NewGuid();

        // The stalled subscriber has its own connection and never reads; each event is ~270 KB on the wire, so
        // socket and server buffers fill after a few dozen, and then its 16-event buffer.
        using var stalledHttp = Server.Factory.CreateHttpClient();
        await using var stalled = await RawEventStream.OpenAsync(stalledHttp, HttpMethod.Get, "/v1/events.r1");
        await using var healthy = await LrpsAsync(Server.Client);
        var openWithBoth = hub.OpenSubscriptions;

        // The healthy subscriber reads each event as it comes (the writes wait for it), so it never falls behind.
        var lrp = TestModels.DesiredLrp(guid, 0);
        lrp.EnvironmentVariables.Add(new EnvironmentVariable { Name = "PADDING", Value = new string('x', 100_000) });
        await Server.Client.DesireLrpAsync(lrp);
        Assert.Equal("desired_lrp_created", (await healthy.TakeForAsync(1, guid))[0].Name);
        for (var i = 1; i <= Updates; i++)
        {
            await Server.Client.UpdateDesiredLrpAsync(guid, new DesiredLRPUpdate { Annotation = $"update-{i}" });
            var changed = As<DesiredLRPChangedEvent>((await healthy.TakeForAsync(1, guid))[0], "desired_lrp_changed");
            Assert.Equal($"update-{i}", changed.After.Annotation);
        }

        AssertStrictlyIncreasing(healthy.Seen);
        Assert.True(healthy.Stream.Reconnects == 0, $"the healthy subscriber reconnected {healthy.Stream.Reconnects}x; subscribers dropped: {hub.DroppedSubscribers - droppedBefore}");

        var clock = Stopwatch.StartNew();
        while (hub.DroppedSubscribers == droppedBefore && clock.Elapsed < EventReader.Timeout)
        {
            await Task.Delay(50);
        }

        Assert.Equal(droppedBefore + 1, hub.DroppedSubscribers);

        // The dropped stream ends on the server within its 2 s grace, while its client still reads nothing: its
        // handler is not left blocked in a write to a full socket, holding the connection and its buffers.
        clock.Restart();
        while (hub.OpenSubscriptions > openWithBoth - 1 && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(50);
        }

        Assert.True(hub.OpenSubscriptions <= openWithBoth - 1, $"{hub.OpenSubscriptions} subscriptions still open, {openWithBoth} before the drop");

        // What the stalled subscriber still gets is an in-order prefix of the events, and then its stream ends.
        var stalledUpdates = new List<string>();
        while (true)
        {
            string? frame;
            try
            {
                frame = await stalled.NextFrameAsync();
            }
            catch (IOException)
            {
                break; // the server may also have given up on the connection (Kestrel's minimum response rate)
            }

            if (frame is null)
            {
                break;
            }

            var e = RawEventStream.Decode(RawEventStream.Parse(frame));
            if (GuidOf(e) == guid && e.Message is DesiredLRPChangedEvent changed)
            {
                stalledUpdates.Add(changed.After.Annotation);
            }
        }

        Assert.True(stalledUpdates.Count < Updates, $"the stalled subscriber got all {Updates} updates");
        Assert.Equal(Enumerable.Range(1, stalledUpdates.Count).Select(i => $"update-{i}"), stalledUpdates);
    }

    [Fact]
    public async Task AReaderThatWasDroppedResumesFromItsLastEventIdAndMissesNothing()
    {
        var hub = Server.GetService<EventHub>();
        var droppedBefore = hub.DroppedSubscribers;
        var guid = TestModels.NewGuid();
        using var slowHttp = Server.Factory.CreateHttpClient();
        using var slowClient = new Bbs.Client.BbsClient(slowHttp, new Bbs.Client.BbsClientOptions { Url = Server.Factory.BaseAddress });
        await using var slow = await LrpsAsync(slowClient, options: new Bbs.Client.Events.BbsEventStreamOptions { RetryDelay = TimeSpan.FromMilliseconds(50) });

        var lrp = TestModels.DesiredLrp(guid, 0);
        lrp.EnvironmentVariables.Add(new EnvironmentVariable { Name = "PADDING", Value = new string('x', 100_000) });
        await Server.Client.DesireLrpAsync(lrp);
        for (var i = 1; i <= Updates; i++)
        {
            await Server.Client.UpdateDesiredLrpAsync(guid, new DesiredLRPUpdate { Annotation = $"update-{i}" });
        }

        var clock = Stopwatch.StartNew();
        while (hub.DroppedSubscribers == droppedBefore && clock.Elapsed < EventReader.Timeout)
        {
            await Task.Delay(50);
        }

        Assert.Equal(droppedBefore + 1, hub.DroppedSubscribers);

        // Only now does it read: what was buffered, then (after the server ends the stream) a resume from its last id.
        var seen = await slow.TakeForAsync(1 + Updates, guid);
        Assert.Equal("desired_lrp_created", seen[0].Name);
        Assert.Equal(
            Enumerable.Range(1, Updates).Select(i => $"update-{i}"),
            seen.Skip(1).Select(e => As<DesiredLRPChangedEvent>(e, "desired_lrp_changed").After.Annotation));
        Assert.True(slow.Stream.Reconnects >= 1);
        AssertStrictlyIncreasing(slow.Seen);
    }
}

public sealed class EmbeddedSlowSubscriberTests(EmbeddedBbsServerWithSmallEventBuffers server)
    : SlowSubscriberTests<EmbeddedBbsServerWithSmallEventBuffers>(server), IClassFixture<EmbeddedBbsServerWithSmallEventBuffers>;

public sealed class EtcdSlowSubscriberTests(EtcdBbsServerWithSmallEventBuffers server)
    : SlowSubscriberTests<EtcdBbsServerWithSmallEventBuffers>(server), IClassFixture<EtcdBbsServerWithSmallEventBuffers>;
