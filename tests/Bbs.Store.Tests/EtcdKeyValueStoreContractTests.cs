using Bbs.Etcd;
using Bbs.Store.Etcd;
using Bbs.Store.Tests.Contract;
using Bbs.Testing.Etcd;
using Bbs.Testing.Logging;
using Xunit.Abstractions;

namespace Bbs.Store.Tests;

/// <summary>
/// The store contract against <see cref="EtcdKeyValueStore"/> on the collection's real etcd, which other tests
/// share: it holds their keys, leases and history too. Each fact gets a store with a client of its own.
/// </summary>
[Collection(EtcdFixture.Collection)]
public sealed class EtcdKeyValueStoreContractTests(EtcdFixture etcd, ITestOutputHelper output) : KeyValueStoreContract
{
    protected override Task<IKeyValueStore> CreateStoreAsync()
    {
        // Test-friendly timings: quick retries and short deadlines, so a broken etcd fails a fact fast.
        var options = new EtcdClientOptions
        {
            Endpoints = [.. etcd.ClientUrls],
            ConnectTimeout = TimeSpan.FromSeconds(2),
            RequestTimeout = TimeSpan.FromSeconds(5),
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            MaxRetryDelay = TimeSpan.FromMilliseconds(500),
        };
        return Task.FromResult<IKeyValueStore>(EtcdKeyValueStore.Create(options, new TestLogger(output)));
    }
}
