using Grpc.Core;
using Etcdserverpb;
using Mvccpb;
using Bbs.Testing.Etcd;
using Bbs.Testing.Logging;
using Xunit.Abstractions;
using static Bbs.Etcd.Tests.TestSupport;
using CompareResult = Etcdserverpb.Compare.Types.CompareResult;

namespace Bbs.Etcd.Tests;

[Collection(EtcdFixture.Collection)]
public sealed class TxnTests(EtcdFixture etcd, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly EtcdClient _client = NewClient(etcd.ClientUrls, new TestLogger(output));
    private readonly string _prefix = TestKeys.UniquePrefix();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public async Task ACompareAndSwapOnTheCurrentModRevisionWins()
    {
        var key = Bytes(_prefix + "lrp");
        long written = await _client.PutAsync(_prefix + "lrp", "v1");

        var response = await _client.TxnAsync(CompareAndSwap(key, written, "v2"), CancellationToken.None);

        Assert.True(response.Succeeded);
        var kv = await _client.GetAsync(_prefix + "lrp");
        Assert.Equal("v2", kv!.Value.ToStringUtf8());
        Assert.Equal(response.Header.Revision, kv.ModRevision);
        Assert.Equal(ResponseOp.ResponseOneofCase.ResponsePut, Assert.Single(response.Responses).ResponseCase);
    }

    [Fact]
    public async Task ACompareAndSwapOnAStaleModRevisionLosesAndRunsTheFailureBranch()
    {
        var key = Bytes(_prefix + "lrp");
        long stale = await _client.PutAsync(_prefix + "lrp", "v1");
        long current = await _client.PutAsync(_prefix + "lrp", "someone else's");

        var response = await _client.TxnAsync(CompareAndSwap(key, stale, "v2"), CancellationToken.None);

        Assert.False(response.Succeeded);
        Assert.Equal(current, response.Header.Revision);
        var read = Assert.Single(response.Responses).ResponseRange;
        Assert.Equal("someone else's", Assert.Single(read.Kvs).Value.ToStringUtf8());
        Assert.Equal(current, read.Kvs[0].ModRevision);
    }

    [Fact]
    public async Task CreateIfAbsentSucceedsOnceAndTheWritesOfABranchShareOneRevision()
    {
        var key = Bytes(_prefix + "claim");
        var other = Bytes(_prefix + "index");
        var create = new TxnRequest
        {
            Compare = { EtcdCompare.Absent(key) },
            Success = { EtcdOp.Put(key, Bytes("mine")), EtcdOp.Put(other, Bytes("x")) },
        };

        var first = await _client.TxnAsync(create, CancellationToken.None);
        var second = await _client.TxnAsync(create, CancellationToken.None);

        Assert.True(first.Succeeded);
        Assert.False(second.Succeeded);
        Assert.Equal(first.Header.Revision, (await _client.GetAsync(_prefix + "claim"))!.ModRevision);
        Assert.Equal(first.Header.Revision, (await _client.GetAsync(_prefix + "index"))!.ModRevision);
    }

    [Fact]
    public async Task ValueCompareAndPrefixOpsWorkTogether()
    {
        await _client.PutAsync(_prefix + "a/1", "x");
        await _client.PutAsync(_prefix + "a/2", "y");

        var response = await _client.TxnAsync(new TxnRequest
        {
            Compare = { EtcdCompare.Value(Bytes(_prefix + "a/1"), CompareResult.Equal, Bytes("x")) },
            Success = { EtcdOp.GetPrefix(Bytes(_prefix + "a/")), EtcdOp.DeletePrefix(Bytes(_prefix + "a/")) },
        }, CancellationToken.None);

        Assert.True(response.Succeeded);
        Assert.Equal(2, response.Responses[0].ResponseRange.Kvs.Count);
        Assert.Equal(2, response.Responses[1].ResponseDeleteRange.Deleted);
    }

    [Fact]
    public async Task AnInvalidTxnIsReportedWithEtcdsStatus()
    {
        var key = Bytes(_prefix + "dup");

        var error = await Assert.ThrowsAsync<EtcdException>(() => _client.TxnAsync(
            new TxnRequest { Success = { EtcdOp.Put(key, Bytes("1")), EtcdOp.Put(key, Bytes("2")) } }, CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("duplicate key", error.Message, StringComparison.Ordinal);
    }

    private static TxnRequest CompareAndSwap(Google.Protobuf.ByteString key, long expectedModRevision, string value) => new()
    {
        Compare = { EtcdCompare.ModRevision(key, CompareResult.Equal, expectedModRevision) },
        Success = { EtcdOp.Put(key, Bytes(value)) },
        Failure = { EtcdOp.Get(key) },
    };
}
