using Etcdserverpb;
using Mvccpb;
using Bbs.Testing.Etcd;
using Bbs.Testing.Logging;
using Xunit.Abstractions;
using static Bbs.Etcd.Tests.TestSupport;
using EventType = Mvccpb.Event.Types.EventType;

namespace Bbs.Etcd.Tests;

[Collection(EtcdFixture.Collection)]
public sealed class WatchTests(EtcdFixture etcd, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TestLogger _logger = new(output);
    private readonly string _prefix = TestKeys.UniquePrefix();
    private EtcdClient _client = null!;

    public Task InitializeAsync()
    {
        _client = NewClient(etcd.ClientUrls, _logger);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public async Task PutAndDeleteArriveInOrderWithTheirPreviousValues()
    {
        long start = await _client.PutAsync(_prefix + "k", "v0");
        await using var watch = new WatchRecorder(_client, WatchPrefix(_prefix, start + 1));

        long put = await _client.PutAsync(_prefix + "k", "v1");
        long deleted = await _client.DeleteAsync(_prefix + "k");
        var events = await watch.WaitForEventsAsync(2);

        Assert.Equal(2, events.Count);
        Assert.Equal(EventType.Put, events[0].Type);
        Assert.Equal("v1", events[0].Kv.Value.ToStringUtf8());
        Assert.Equal(put, events[0].Kv.ModRevision);
        Assert.Equal("v0", events[0].PrevKv.Value.ToStringUtf8());
        Assert.Equal(EventType.Delete, events[1].Type);
        Assert.Equal(deleted, events[1].Kv.ModRevision);
        Assert.True(events[1].Kv.Value.IsEmpty);
        Assert.Equal("v1", events[1].PrevKv.Value.ToStringUtf8());
    }

    [Fact]
    public async Task ALeaseExpiringDeletesItsKeysAndWatchersSeeTheDeleteWithThePreviousValue()
    {
        var lease = await _client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 1 }, CancellationToken.None);
        long put = await _client.PutAsync(_prefix + "presence", "cell-1", lease.ID);
        await using var watch = new WatchRecorder(_client, WatchPrefix(_prefix, put));

        var events = await watch.WaitForEventsAsync(2, TimeSpan.FromSeconds(10));

        Assert.Equal(EventType.Put, events[0].Type);
        Assert.Equal(lease.ID, events[0].Kv.Lease);
        Assert.Equal(EventType.Delete, events[1].Type);
        Assert.Equal(_prefix + "presence", events[1].Kv.Key.ToStringUtf8());
        Assert.Equal("cell-1", events[1].PrevKv.Value.ToStringUtf8());
        Assert.Equal(lease.ID, events[1].PrevKv.Lease);
        Assert.Equal(-1, (await _client.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = lease.ID }, CancellationToken.None)).TTL);
    }

    [Fact]
    public async Task AWatchFromAPastRevisionDeliversExactlyTheEventsSinceThen()
    {
        await _client.PutAsync(_prefix + "before", "x");
        long first = await _client.PutAsync(_prefix + "a", "1");
        await _client.PutAsync(_prefix + "b", "2");
        await _client.DeleteAsync(_prefix + "a");
        long last = await _client.PutAsync(_prefix + "b", "3");

        await using var watch = new WatchRecorder(_client, WatchPrefix(_prefix, first));
        var events = await watch.WaitForEventsAsync(4);
        long live = await _client.PutAsync(_prefix + "c", "4");
        events = await watch.WaitForEventsAsync(5);

        Assert.Equal(
            [$"Put {_prefix}a@{first}", $"Put {_prefix}b@{first + 1}", $"Delete {_prefix}a@{first + 2}", $"Put {_prefix}b@{last}", $"Put {_prefix}c@{live}"],
            events.Select(e => $"{e.Type} {e.Kv.Key.ToStringUtf8()}@{e.Kv.ModRevision}"));
        Assert.Equal("2", events[3].PrevKv.Value.ToStringUtf8());
    }

    [Fact]
    public async Task AWatchFromACompactedRevisionFailsWithCompacted()
    {
        long first = await _client.PutAsync(_prefix + "k", "1");
        long last = await _client.PutAsync(_prefix + "k", "2");
        await _client.CompactAsync(new CompactionRequest { Revision = last, Physical = true }, CancellationToken.None);

        var watch = new WatchRecorder(_client, WatchPrefix(_prefix, first));
        var error = await watch.WaitForEndAsync();
        await watch.DisposeAsync();

        var compacted = Assert.IsType<EtcdCompactedException>(error);
        Assert.Equal(last, compacted.CompactRevision);
        Assert.Empty(watch.Events);
    }

    [Fact]
    public async Task ManyWatchesShareOneStreamAndCancellingOneLeavesTheOthersRunning()
    {
        long start = await _client.PutAsync(_prefix + "start", "x") + 1;
        await using var a = new WatchRecorder(_client, WatchPrefix(_prefix + "a/", start));
        await using var b = new WatchRecorder(_client, WatchPrefix(_prefix + "b/", start));
        await using var c = new WatchRecorder(_client, WatchPrefix(_prefix + "c/", start));

        await _client.PutAsync(_prefix + "a/1", "a1");
        await _client.PutAsync(_prefix + "b/1", "b1");
        await _client.PutAsync(_prefix + "c/1", "c1");
        await a.WaitForEventsAsync(1);
        await b.WaitForEventsAsync(1);
        await c.WaitForEventsAsync(1);

        await b.StopAsync();
        await _client.PutAsync(_prefix + "b/2", "b2");
        await _client.PutAsync(_prefix + "a/2", "a2");
        await _client.PutAsync(_prefix + "c/2", "c2");
        var aEvents = await a.WaitForEventsAsync(2);
        var cEvents = await c.WaitForEventsAsync(2);

        Assert.Equal(["a1", "a2"], aEvents.Select(e => e.Kv.Value.ToStringUtf8()));
        Assert.Equal(["c1", "c2"], cEvents.Select(e => e.Kv.Value.ToStringUtf8()));
        Assert.Equal(["b1"], b.Events.Select(e => e.Kv.Value.ToStringUtf8()));
        Assert.IsAssignableFrom<OperationCanceledException>(b.Error);
        Assert.Single(_logger.Entries, e => e.EventId.Id == 3 && e.Message.Contains("watch", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AWatchFromNowSeesOnlyLaterChanges()
    {
        await _client.PutAsync(_prefix + "old", "x");
        await using var watch = new WatchRecorder(_client, WatchPrefix(_prefix, 0));

        // "From now" is when etcd creates the watch, which the test cannot observe: write until the watch sees a write.
        int written = 0;
        await EventuallyAsync(async () =>
        {
            await _client.PutAsync($"{_prefix}new/{written++}", "y");
            return watch.Events.Count > 0;
        }, "the watch saw a write");

        Assert.DoesNotContain(watch.Events, e => e.Kv.Key.ToStringUtf8().EndsWith("old", StringComparison.Ordinal));
        Assert.All(watch.Responses, r => Assert.False(r.Created));
    }

    [PrivateEtcdFact]
    public async Task ProgressNotificationsCarryNoEventsAndTheRevisionEverythingWasDeliveredUpTo()
    {
        long put = await _client.PutAsync(_prefix + "k", "v");
        var request = WatchPrefix(_prefix, put);
        request.ProgressNotify = true;
        await using var watch = new WatchRecorder(_client, request);

        await EventuallyAsync(() => Task.FromResult(watch.Responses.Any(r => r.Events.Count == 0)), "a progress notification arrived");

        Assert.Equal([put], watch.Events.Select(e => e.Kv.ModRevision));
        Assert.All(watch.Responses.Where(r => r.Events.Count == 0), progress => Assert.True(progress.Header.Revision >= put));
    }

    [Fact]
    public async Task ASlowConsumerHoldsBackItsWatchWithoutLosingEvents()
    {
        await using var client = NewClient(etcd.ClientUrls, _logger, o => o.WatchBufferCapacity = 2);
        long start = await client.PutAsync(_prefix + "start", "x") + 1;
        for (int i = 0; i < 40; i++)
        {
            await client.PutAsync($"{_prefix}k{i:D2}", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var seen = new List<long>();
        using var cts = new CancellationTokenSource(Patience);
        await foreach (var response in client.WatchAsync(WatchPrefix(_prefix, start), cts.Token))
        {
            seen.AddRange(response.Events.Select(e => e.Kv.ModRevision));
            await Task.Delay(10, CancellationToken.None);
            if (seen.Count >= 40)
            {
                break;
            }
        }

        Assert.Equal(Enumerable.Range(0, 40).Select(i => start + i), seen);
    }
}
