using Bbs.Db;
using Bbs.Db.Format;
using Bbs.Models;
using Bbs.Store;
using Bbs.Store.Embedded;
using Bbs.Store.View;
using Bbs.Testing.Store;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bbs.Db.Tests.Convergence;

/// <summary>
/// Convergence decides from one snapshot and writes afterwards; a desired LRP removed in between (by a client while
/// the pass runs, or while a frozen leader sleeps in the middle of one, as the fault harness found) must not get its
/// missing instances back. Such an instance would outlive the acknowledged removal until a later pass.
/// </summary>
public sealed class ConvergenceRaceTests
{
    [Fact]
    public async Task AnInstanceIsNotRecreatedForADesiredLrpRemovedDuringThePass()
    {
        await using var store = new RemoveBeforeFirstCreate(new EmbeddedKeyValueStore());
        var serializer = new RecordSerializer(new RecordFormatOptions());
        await using var view = new KeyValueView(store, Keys.Root, NullLogger.Instance, RecordProjector.Create(serializer, NullLogger.Instance));
        view.Start();
        var db = new EtcdDb(store, view, serializer, TimeProvider.System, new EtcdDbOptions(), NullLogger<EtcdDb>.Instance);
        const string guid = "removed-during-pass";
        await db.DesireLrpAsync(DesiredLrp(guid), CancellationToken.None);
        await db.RetireActualLrpAsync(new ActualLRPKey { ProcessGuid = guid, Index = 1, Domain = "d" }, CancellationToken.None);

        store.Arm(() => db.RemoveDesiredLrpAsync(guid, CancellationToken.None));
        await db.ConvergeLrpsAsync(new LrpConvergenceRequest(new HashSet<string>(), TimeSpan.FromMinutes(1)), CancellationToken.None);

        Assert.True(store.Fired, "the pass did not try to create the missing instance: the test did not test anything");
        Assert.Null((await store.GetAsync(Keys.SchedulingInfo(guid), CancellationToken.None)).Kv);
        Assert.Null((await store.GetAsync(Keys.ActualInstance(guid, 1), CancellationToken.None)).Kv);
        Assert.Null((await store.GetAsync(Keys.ActualInstance(guid, 0), CancellationToken.None)).Kv);
    }

    private static DesiredLRP DesiredLrp(string guid)
    {
        var lrp = new DesiredLRP
        {
            ProcessGuid = guid,
            Domain = "d",
            RootFs = "preloaded:cflinuxfs4",
            Instances = 2,
            MemoryMb = 64,
            DiskMb = 64,
            Action = new Models.Action { RunAction = new RunAction { Path = "/bin/app", User = "vcap" } },
            Routes = new ProtoRoutes(),
        };
        lrp.Routes.Routes["cf-router"] = ByteString.CopyFromUtf8("[]");
        return lrp;
    }

    /// <summary>Runs an action (once) just before the first transaction that creates an instance record.</summary>
    private sealed class RemoveBeforeFirstCreate(IKeyValueStore inner) : StoreDecorator(inner)
    {
        private Func<Task>? _action;

        public bool Fired { get; private set; }

        public void Arm(Func<Task> action) => _action = action;

        public override async Task<TxnResult> TxnAsync(TxnRequest request, CancellationToken cancellationToken)
        {
            bool creates = request.Compares.Any(c => c.Key.StartsWith(Keys.ActualPrefix, StringComparison.Ordinal) && c.Target == CompareTarget.CreateRevision && c.Number == 0);
            if (creates && Interlocked.Exchange(ref _action, null) is { } action)
            {
                Fired = true;
                await action();
            }

            return await base.TxnAsync(request, cancellationToken);
        }
    }
}
