using Bbs.Store.Embedded;
using Bbs.Store.Tests.Contract;

namespace Bbs.Store.Tests;

/// <summary>The store contract against <see cref="EmbeddedKeyValueStore"/> on the real clock.</summary>
public sealed class EmbeddedKeyValueStoreContractTests : KeyValueStoreContract
{
    protected override async Task<IKeyValueStore> CreateStoreAsync()
    {
        var store = new EmbeddedKeyValueStore();

        // Like the shared etcd the contract also runs against: other keys, leases and history already exist.
        var lease = await store.GrantLeaseAsync(3600, CancellationToken.None);
        for (var i = 0; i < 5; i++)
        {
            await store.TxnAsync(TxnRequest.If().Then(new PutOp($"/noise/{i}", "noise"u8.ToArray(), i % 2 == 0 ? lease : 0)), CancellationToken.None);
        }

        await store.TxnAsync(TxnRequest.If().Then(new DeleteOp("/noise/4")), CancellationToken.None);
        return store;
    }
}
