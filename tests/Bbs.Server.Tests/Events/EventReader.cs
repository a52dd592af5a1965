using Bbs.Client;
using Bbs.Client.Events;
using Bbs.Models;
using Google.Protobuf;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Events;

/// <summary>
/// Reads one <see cref="BbsEventStream"/> through a single enumerator, with a timeout on every wait (a test that
/// times out fails rather than hangs). Streams carry every writer's events, so the reads pick a test's own events by guid.
/// </summary>
public sealed class EventReader : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly IAsyncEnumerator<BbsStreamEvent> enumerator;
    private Task<bool>? pending;

    public EventReader(BbsEventStream stream)
    {
        Stream = stream;
        enumerator = stream.GetAsyncEnumerator();
    }

    public BbsEventStream Stream { get; }

    /// <summary>Every event read so far, in order.</summary>
    public List<BbsStreamEvent> Seen { get; } = [];

    public static async Task<EventReader> LrpsAsync(BbsClient client, string? cellId = null, BbsEventStreamOptions? options = null) =>
        new(await client.SubscribeToLrpEventsAsync(cellId, options));

    public static async Task<EventReader> InstancesAsync(BbsClient client, string? cellId = null, BbsEventStreamOptions? options = null) =>
        new(await client.SubscribeToInstanceEventsAsync(cellId, options));

    public static async Task<EventReader> TasksAsync(BbsClient client, BbsEventStreamOptions? options = null) =>
        new(await client.SubscribeToTaskEventsAsync(options));

    /// <summary>The next event, whatever it is about.</summary>
    public async Task<BbsStreamEvent> NextAsync(TimeSpan? timeout = null)
    {
        pending ??= enumerator.MoveNextAsync().AsTask();
        bool more;
        try
        {
            more = await pending.WaitAsync(timeout ?? Timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"no event on {Stream.Path} within {(timeout ?? Timeout).TotalSeconds:0.#}s; seen: {Describe(Seen)}");
            throw;
        }

        pending = null;
        Assert.True(more, $"{Stream.Path} ended; seen: {Describe(Seen)}");
        Seen.Add(enumerator.Current);
        return enumerator.Current;
    }

    /// <summary>The next <paramref name="count"/> events about any of <paramref name="guids"/>, skipping others.</summary>
    public async Task<List<BbsStreamEvent>> TakeForAsync(int count, params string[] guids)
    {
        var taken = new List<BbsStreamEvent>();
        while (taken.Count < count)
        {
            var next = await NextAsync();
            if (guids.Contains(GuidOf(next)))
            {
                taken.Add(next);
            }
        }

        return taken;
    }

    /// <summary>
    /// Proves nothing more about <paramref name="guid"/> is on its way, without sleeping: events arrive in store order,
    /// so once the event of a later write (<paramref name="writeMarkerAsync"/>, about <paramref name="markerGuid"/>) is
    /// read, every earlier one has been.
    /// </summary>
    public async Task AssertNothingMoreForAsync(string guid, string markerGuid, Func<Task> writeMarkerAsync)
    {
        await writeMarkerAsync();
        while (true)
        {
            var next = await NextAsync();
            var about = GuidOf(next);
            Assert.False(about == guid, $"unexpected {next.Name} {next.Id} for {guid}: {next.Message}");
            if (about == markerGuid)
            {
                return;
            }
        }
    }

    /// <summary><see cref="AssertNothingMoreForAsync(string, string, Func{Task})"/> with a fresh desired LRP as the marker.</summary>
    public Task AssertNoMoreLrpEventsAsync(BbsClient client, string processGuid)
    {
        var marker = TestModels.NewGuid("marker");
        return AssertNothingMoreForAsync(processGuid, marker, () => client.DesireLrpAsync(TestModels.DesiredLrp(marker, 0)));
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        if (pending is not null)
        {
            try
            {
                await pending.WaitAsync(Timeout);
            }
            catch (Exception ex) when (ex is BbsException or OperationCanceledException or TimeoutException)
            {
            }
        }

        await enumerator.DisposeAsync();
    }

    /// <summary>The process guid or task guid an event is about.</summary>
    public static string? GuidOf(BbsStreamEvent e) => e.Message switch
    {
        DesiredLRPCreatedEvent m => m.DesiredLrp.ProcessGuid,
        DesiredLRPChangedEvent m => m.After.ProcessGuid,
        DesiredLRPRemovedEvent m => m.DesiredLrp.ProcessGuid,
        ActualLRPCreatedEvent m => GuidOf(m.ActualLrpGroup),
        ActualLRPChangedEvent m => GuidOf(m.After),
        ActualLRPRemovedEvent m => GuidOf(m.ActualLrpGroup),
        ActualLRPCrashedEvent m => m.ActualLrpKey.ProcessGuid,
        ActualLRPInstanceCreatedEvent m => m.ActualLrp.ActualLrpKey.ProcessGuid,
        ActualLRPInstanceChangedEvent m => m.ActualLrpKey.ProcessGuid,
        ActualLRPInstanceRemovedEvent m => m.ActualLrp.ActualLrpKey.ProcessGuid,
        TaskCreatedEvent m => m.Task.TaskGuid,
        TaskChangedEvent m => m.After.TaskGuid,
        TaskRemovedEvent m => m.Task.TaskGuid,
        _ => null,
    };

    /// <summary>Parses this server's SSE id, <c>&lt;revision&gt;.&lt;position&gt;</c>, for ordering checks.</summary>
    public static (long Revision, int Position) Position(string id)
    {
        var parts = id.Split('.');
        Assert.Equal(2, parts.Length);
        return (long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Asserts the ids strictly increase (and, with <paramref name="after"/>, all come after it).</summary>
    public static void AssertStrictlyIncreasing(IEnumerable<BbsStreamEvent> events, string? after = null)
    {
        var previous = after is null ? (long.MinValue, int.MinValue) : Position(after);
        foreach (var e in events)
        {
            var position = Position(e.Id);
            Assert.True(position.CompareTo(previous) > 0, $"event {e.Name} {e.Id} does not come after {previous}");
            previous = position;
        }
    }

    public static T As<T>(BbsStreamEvent e, string name)
        where T : IMessage
    {
        Assert.Equal(name, e.Name);
        return Assert.IsType<T>(e.Message);
    }

    public static string Describe(IEnumerable<BbsStreamEvent> events) => string.Join(", ", events.Select(e => $"{e.Name}#{e.Id}({GuidOf(e)})"));

    private static string? GuidOf(ActualLRPGroup group) => (group.Instance ?? group.Evacuating)?.ActualLrpKey.ProcessGuid;
}
