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
/// missing instances back; and a removal must not miss an instance created between its read and its delete. Such an
/// instance would outlive the acknowledged removal until a later pass.
/// </summary>
public sealed class ConvergenceRaceTests
{
    [Fact]
    public async Task AnInstanceIsNotRecreatedForADesiredLrpRemovedDuringThePass()
    {
        await using var store = new ActionBeforeTxn(new EmbeddedKeyValueStore());
        await using var view = StartView(store);
        var db = NewDb(store, view);
        const string guid = "removed-during-pass";
        await DesireWithRetiredIndexAsync(db, guid);

        // Just before the pass creates the missing instance, a client removes the desired LRP.
        store.Arm(CreatesAnInstance, () => db.RemoveDesiredLrpAsync(guid, CancellationToken.None));
        await db.ConvergeLrpsAsync(Pass, CancellationToken.None);

        Assert.True(store.Fired, "the pass did not try to create the missing instance: the test did not test anything");
        Assert.Null((await store.GetAsync(Keys.SchedulingInfo(guid), CancellationToken.None)).Kv);
        Assert.Null((await store.GetAsync(Keys.ActualInstance(guid, 1), CancellationToken.None)).Kv);
        Assert.Null((await store.GetAsync(Keys.ActualInstance(guid, 0), CancellationToken.None)).Kv);
    }

    [Fact]
    public async Task ARemovalTakesAnInstanceCreatedBetweenItsReadAndItsDelete()
    {
        await using var store = new ActionBeforeTxn(new EmbeddedKeyValueStore());
        await using var view = StartView(store);
        var db = NewDb(store, view);
        const string guid = "created-during-removal";
        await DesireWithRetiredIndexAsync(db, guid);

        // After the removal has read the instances and before it deletes them, a pass recreates the missing one.
        store.Arm(DeletesTheDesiredLrp(guid), () => db.ConvergeLrpsAsync(Pass, CancellationToken.None));
        await db.RemoveDesiredLrpAsync(guid, CancellationToken.None);

        Assert.True(store.Fired, "the removal never deleted the desired LRP: the test did not test anything");
        Assert.Null((await store.GetAsync(Keys.SchedulingInfo(guid), CancellationToken.None)).Kv);
        Assert.Null((await store.GetAsync(Keys.ActualInstance(guid, 1), CancellationToken.None)).Kv);
        Assert.Null((await store.GetAsync(Keys.ActualInstance(guid, 0), CancellationToken.None)).Kv);
    }

    private static readonly LrpConvergenceRequest Pass = new(new HashSet<string>(), TimeSpan.FromMinutes(1));

    private static KeyValueView StartView(IKeyValueStore store)
    {
        var view = new KeyValueView(store, Keys.Root, NullLogger.Instance, RecordProjector.Create(Serializer, NullLogger.Instance));
        view.Start();
        return view;
    }

    private static readonly RecordSerializer Serializer = new(new RecordFormatOptions());

    private static EtcdDb NewDb(IKeyValueStore store, KeyValueView view) =>
        new(store, view, Serializer, TimeProvider.System, new EtcdDbOptions(), NullLogger<EtcdDb>.Instance);

    /// <summary>Desires two instances and retires index 1, so a pass finds it missing.</summary>
    private static async Task DesireWithRetiredIndexAsync(EtcdDb db, string guid)
    {
        await db.DesireLrpAsync(DesiredLrp(guid), CancellationToken.None);
        await db.RetireActualLrpAsync(new ActualLRPKey { ProcessGuid = guid, Index = 1, Domain = "d" }, CancellationToken.None);
    }

    private static bool CreatesAnInstance(TxnRequest request) =>
        request.Compares.Any(c => c.Key.StartsWith(Keys.ActualPrefix, StringComparison.Ordinal) && c.Target == CompareTarget.CreateRevision && c.Number == 0);

    private static Func<TxnRequest, bool> DeletesTheDesiredLrp(string guid) =>
        request => request.Success.OfType<DeleteOp>().Any(op => op.Key == Keys.SchedulingInfo(guid));

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

    /// <summary>Runs an action (once) just before the first transaction that matches.</summary>
    private sealed class ActionBeforeTxn(IKeyValueStore inner) : StoreDecorator(inner)
    {
        private (Func<TxnRequest, bool> When, Func<Task> Action)? _armed;

        public bool Fired { get; private set; }

        public void Arm(Func<TxnRequest, bool> when, Func<Task> action) => _armed = (when, action);

        public override async Task<TxnResult> TxnAsync(TxnRequest request, CancellationToken cancellationToken)
        {
            if (_armed is { } armed && armed.When(request))
            {
                _armed = null;
                Fired = true;
                await armed.Action();
            }

            return await base.TxnAsync(request, cancellationToken);
        }
    }
}
