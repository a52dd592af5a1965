using Bbs.Db.Format;
using Bbs.Models;
using Bbs.Store;
using Bbs.Store.Embedded;
using Bbs.Store.View;
using Bbs.Testing.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bbs.Db.Tests.Cache;

/// <summary>
/// A lifecycle write whose transaction reached the store but whose answer was lost (etcd timed out after the send) is
/// resolved by reading the key back before answering: applied is a success, not applied is decided again.
/// </summary>
public sealed class AmbiguousCommitTests : IAsyncLifetime
{
    private LosesAnswers Store { get; set; } = null!;

    private KeyValueView View { get; set; } = null!;

    private EtcdDb Db { get; set; } = null!;

    public async Task InitializeAsync()
    {
        Store = new LosesAnswers(new EmbeddedKeyValueStore());
        var serializer = new RecordSerializer(new RecordFormatOptions { EncryptionKeys = ["k1:a passphrase for the test"], ActiveKeyLabel = "k1" });
        View = new KeyValueView(Store, Keys.Root, projector: RecordProjector.Create(serializer, NullLogger.Instance));
        View.Start();
        Db = new EtcdDb(Store, View, serializer, TimeProvider.System, new EtcdDbOptions(), NullLogger<EtcdDb>.Instance);
        await Db.DesireLrpAsync(
            new DesiredLRP
            {
                ProcessGuid = "pg",
                Domain = "d",
                RootFs = "preloaded:cflinuxfs4",
                Instances = 1,
                Action = new Bbs.Models.Action { RunAction = new RunAction { Path = "/bin/true", User = "vcap" } },
            },
            CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await View.DisposeAsync();
        await Store.DisposeAsync();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AClaimWhoseAnswerWasLostIsResolvedByReadingBack(bool applied)
    {
        var instanceKey = new ActualLRPInstanceKey { CellId = "cell-1", InstanceGuid = "ig-1" };
        Store.LoseNextAnswer(applied);

        var change = await Db.ClaimActualLrpAsync("pg", 0, instanceKey, CancellationToken.None);

        Assert.Equal("CLAIMED", change.After?.State);
        var stored = Assert.Single(await Db.ActualLrpsAsync(new ActualLrpFilter(ProcessGuid: "pg"), CancellationToken.None));
        Assert.Equal("CLAIMED", stored.State);
        Assert.Equal("cell-1", stored.ActualLrpInstanceKey.CellId);
        Assert.Equal(applied ? 1 : 2, Store.Transactions);
    }

    [Fact]
    public async Task WhenTheReadBackFailsTooTheAnswerSaysTheWriteMayHaveBeenApplied()
    {
        Store.LoseNextAnswer(applied: true, failReads: true);

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(
            () => Db.ClaimActualLrpAsync("pg", 0, new ActualLRPInstanceKey { CellId = "cell-1", InstanceGuid = "ig-1" }, CancellationToken.None));

        Assert.True(error.MayHaveBeenApplied);
    }

    /// <summary>A real store whose next transaction is (or is not) applied and then answered with "may have been applied".</summary>
    private sealed class LosesAnswers(IKeyValueStore inner) : StoreDecorator(inner)
    {
        private bool? applyNext;
        private bool failReads;

        public int Transactions { get; private set; }

        public void LoseNextAnswer(bool applied, bool failReads = false)
        {
            applyNext = applied;
            this.failReads = failReads;
            Transactions = 0;
        }

        public override async Task<TxnResult> TxnAsync(TxnRequest request, CancellationToken cancellationToken)
        {
            Transactions++;
            if (applyNext is { } apply)
            {
                applyNext = null;
                if (apply)
                {
                    await Inner.TxnAsync(request, cancellationToken);
                }

                throw new StoreUnavailableException("etcdserver: request timed out") { MayHaveBeenApplied = true };
            }

            return await Inner.TxnAsync(request, cancellationToken);
        }

        public override Task<GetResult> GetAsync(string key, CancellationToken cancellationToken) =>
            failReads ? throw new StoreUnavailableException("the store is unavailable") : base.GetAsync(key, cancellationToken);

        public override async ValueTask DisposeAsync()
        {
            await Inner.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}
