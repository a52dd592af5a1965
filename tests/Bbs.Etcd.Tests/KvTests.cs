using Grpc.Core;
using Etcdserverpb;
using Mvccpb;
using Bbs.Testing.Etcd;
using Bbs.Testing.Logging;
using Xunit.Abstractions;
using static Bbs.Etcd.Tests.TestSupport;

namespace Bbs.Etcd.Tests;

[Collection(EtcdFixture.Collection)]
public sealed class KvTests(EtcdFixture etcd, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly EtcdClient _client = NewClient(etcd.ClientUrls, new TestLogger(output));
    private readonly string _prefix = TestKeys.UniquePrefix();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public async Task ARangeWhosePagesExceedTheMessageLimitIsReadInSmallerPages()
    {
        await using var small = NewClient(etcd.ClientUrls, configure: o => o.MaxReceiveMessageBytes = 4096);
        string value = new('x', 100);
        for (int i = 0; i < 100; i++)
        {
            await _client.PutAsync($"{_prefix}{i:D3}", value);
        }

        var tooLarge = await Assert.ThrowsAsync<EtcdException>(() => small.RangeAsync(new RangeRequest { Key = Bytes(_prefix), RangeEnd = EtcdKeys.PrefixEnd(_prefix) }, CancellationToken.None));
        var all = await small.RangeAllAsync(Bytes(_prefix), EtcdKeys.PrefixEnd(_prefix), 0, pageSize: 1000, CancellationToken.None);

        Assert.Equal(StatusCode.ResourceExhausted, tooLarge.StatusCode);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"{_prefix}{i:D3}"), all.Kvs.Select(kv => kv.Key.ToStringUtf8()));
    }

    [Fact]
    public async Task APutKeyIsReadBackWithItsRevisions()
    {
        long created = await _client.PutAsync(_prefix + "k", "one");
        long modified = await _client.PutAsync(_prefix + "k", "two");

        var kv = await _client.GetAsync(_prefix + "k");

        Assert.NotNull(kv);
        Assert.Equal("two", kv.Value.ToStringUtf8());
        Assert.Equal(created, kv.CreateRevision);
        Assert.Equal(modified, kv.ModRevision);
        Assert.Equal(2, kv.Version);
        Assert.Null(await _client.GetAsync(_prefix + "absent"));
    }

    [Fact]
    public async Task DeleteRangeRemovesEveryKeyUnderThePrefixAndReturnsThem()
    {
        await _client.PutAsync(_prefix + "a", "1");
        await _client.PutAsync(_prefix + "b", "2");

        var deleted = await _client.DeleteRangeAsync(
            new DeleteRangeRequest { Key = Bytes(_prefix), RangeEnd = EtcdKeys.PrefixEnd(_prefix), PrevKv = true }, CancellationToken.None);

        Assert.Equal(2, deleted.Deleted);
        Assert.Equal(["1", "2"], deleted.PrevKvs.Select(kv => kv.Value.ToStringUtf8()));
        Assert.Null(await _client.GetAsync(_prefix + "a"));
    }

    [Fact]
    public async Task RangeAllReadsMorePagesThanOneResponseHoldsAllAtOneRevision()
    {
        for (int i = 0; i < 23; i++)
        {
            await _client.PutAsync($"{_prefix}{i:D2}", $"v{i}");
        }

        var snapshot = await _client.RangeAllAsync(Bytes(_prefix), EtcdKeys.PrefixEnd(_prefix), revision: 0, pageSize: 5, CancellationToken.None);

        // Change the range after the snapshot: a read pinned to the snapshot's revision must not see it.
        await _client.PutAsync(_prefix + "00", "changed");
        await _client.PutAsync(_prefix + "99", "added");
        await _client.DeleteAsync(_prefix + "10");
        var again = await _client.RangeAllAsync(Bytes(_prefix), EtcdKeys.PrefixEnd(_prefix), snapshot.Revision, pageSize: 4, CancellationToken.None);
        var now = await _client.RangeAllAsync(Bytes(_prefix), EtcdKeys.PrefixEnd(_prefix), revision: 0, pageSize: 1000, CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 23).Select(i => $"{_prefix}{i:D2}"), snapshot.Kvs.Select(kv => kv.Key.ToStringUtf8()));
        Assert.Equal(Enumerable.Range(0, 23).Select(i => $"v{i}"), snapshot.Kvs.Select(kv => kv.Value.ToStringUtf8()));
        Assert.All(snapshot.Kvs, kv => Assert.True(kv.ModRevision <= snapshot.Revision));
        Assert.Equal(snapshot.Kvs, again.Kvs);
        Assert.Equal(snapshot.Revision, again.Revision);
        Assert.Equal(23, now.Kvs.Count);
        Assert.Equal("changed", now.Kvs[0].Value.ToStringUtf8());
        Assert.True(now.Revision > snapshot.Revision);
    }

    [Fact]
    public async Task ReadingAtACompactedRevisionThrowsCompacted()
    {
        long first = await _client.PutAsync(_prefix + "k", "1");
        await _client.PutAsync(_prefix + "k", "2");
        long last = await _client.PutAsync(_prefix + "k", "3");
        await _client.CompactAsync(new CompactionRequest { Revision = last, Physical = true }, CancellationToken.None);

        var range = await Assert.ThrowsAsync<EtcdCompactedException>(
            () => _client.RangeAsync(new RangeRequest { Key = Bytes(_prefix + "k"), Revision = first }, CancellationToken.None));
        var compactAgain = await Assert.ThrowsAsync<EtcdCompactedException>(
            () => _client.CompactAsync(new CompactionRequest { Revision = first }, CancellationToken.None));

        Assert.Equal(StatusCode.OutOfRange, range.StatusCode);
        Assert.Contains("compacted", range.Message, StringComparison.Ordinal);
        Assert.Equal(StatusCode.OutOfRange, compactAgain.StatusCode);
        Assert.Equal("3", (await _client.RangeAsync(new RangeRequest { Key = Bytes(_prefix + "k"), Revision = last }, CancellationToken.None)).Kvs[0].Value.ToStringUtf8());
    }

    [Fact]
    public async Task ReadingOrCompactingAtAFutureRevisionThrowsFutureRevision()
    {
        long current = await _client.PutAsync(_prefix + "k", "1");

        var read = await Assert.ThrowsAsync<EtcdFutureRevisionException>(
            () => _client.RangeAsync(new RangeRequest { Key = Bytes(_prefix + "k"), Revision = current + 1000 }, CancellationToken.None));
        var compact = await Assert.ThrowsAsync<EtcdFutureRevisionException>(
            () => _client.CompactAsync(new CompactionRequest { Revision = current + 1000 }, CancellationToken.None));

        Assert.Equal(StatusCode.OutOfRange, read.StatusCode);
        Assert.Contains("future revision", read.Message, StringComparison.Ordinal);
        Assert.Equal(StatusCode.OutOfRange, compact.StatusCode);
    }

    [Fact]
    public async Task StatusReportsTheMemberAndTheCurrentRevision()
    {
        long revision = await _client.PutAsync(_prefix + "k", "1");

        var status = await _client.StatusAsync(CancellationToken.None);
        var direct = await _client.StatusAsync(etcd.ClientUrls[0], CancellationToken.None);

        Assert.StartsWith("3.", status.Version, StringComparison.Ordinal);
        Assert.NotEqual(0UL, status.Leader);
        Assert.True(status.Header.Revision >= revision);
        Assert.Equal(status.Header.MemberId, direct.Header.MemberId);
    }

    [Fact]
    public async Task TheCallersTokenCancelsACall()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _client.RangeAsync(new RangeRequest { Key = Bytes(_prefix) }, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _client.PutAsync(new PutRequest { Key = Bytes(_prefix + "k") }, cts.Token));
    }
}
