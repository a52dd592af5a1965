using Etcdserverpb;
using Mvccpb;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace Bbs.Etcd.Tests;

internal static class TestSupport
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>A client with test-friendly timings: quick retries, short deadlines.</summary>
    public static EtcdClient NewClient(IEnumerable<Uri> endpoints, ILogger? logger = null, Action<EtcdClientOptions>? configure = null)
    {
        var options = new EtcdClientOptions
        {
            Endpoints = [.. endpoints],
            ConnectTimeout = TimeSpan.FromSeconds(2),
            RequestTimeout = TimeSpan.FromSeconds(5),
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            MaxRetryDelay = TimeSpan.FromMilliseconds(500),
        };
        configure?.Invoke(options);
        return new EtcdClient(options, logger);
    }

    public static ByteString Bytes(string value) => ByteString.CopyFromUtf8(value);

    public static async Task<long> PutAsync(this EtcdClient client, string key, string value, long lease = 0)
    {
        var response = await client.PutAsync(new PutRequest { Key = Bytes(key), Value = Bytes(value), Lease = lease }, CancellationToken.None);
        return response.Header.Revision;
    }

    public static async Task<KeyValue?> GetAsync(this EtcdClient client, string key)
    {
        var response = await client.RangeAsync(new RangeRequest { Key = Bytes(key) }, CancellationToken.None);
        return response.Kvs.SingleOrDefault();
    }

    public static async Task<long> DeleteAsync(this EtcdClient client, string key)
    {
        var response = await client.DeleteRangeAsync(new DeleteRangeRequest { Key = Bytes(key) }, CancellationToken.None);
        return response.Header.Revision;
    }

    public static WatchCreateRequest WatchPrefix(string prefix, long startRevision, bool prevKv = true) => new()
    {
        Key = Bytes(prefix),
        RangeEnd = EtcdKeys.PrefixEnd(prefix),
        StartRevision = startRevision,
        PrevKv = prevKv,
    };

    /// <summary>Polls <paramref name="condition"/> until it holds, failing with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Patience);
        while (!await condition())
        {
            if (cts.IsCancellationRequested)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }
}
