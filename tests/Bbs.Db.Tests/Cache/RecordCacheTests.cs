using Bbs.Db.Format;
using Bbs.Models;
using Bbs.Store.Embedded;
using Bbs.Store.View;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bbs.Db.Tests.Cache;

/// <summary>
/// The record cache bridges a write and the view's catching up with it, nothing more: once the view holds a write,
/// the cache lets it go. It used to keep a decoded copy of every record this process wrote, most of the heap at 100k.
/// </summary>
public sealed class RecordCacheTests : IAsyncLifetime
{
    private EmbeddedKeyValueStore Store { get; set; } = null!;
    private EtcdDb db = null!;

    private KeyValueView View { get; set; } = null!;

    public Task InitializeAsync()
    {
        Store = new EmbeddedKeyValueStore();
        var serializer = new RecordSerializer(new RecordFormatOptions());
        View = new KeyValueView(Store, Keys.Root, projector: RecordProjector.Create(serializer, NullLogger.Instance));
        View.Start();
        db = new EtcdDb(Store, View, serializer, TimeProvider.System, new EtcdDbOptions(), NullLogger<EtcdDb>.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await View.DisposeAsync();
        await Store.DisposeAsync();
    }

    [Fact]
    public async Task WritesTheViewHoldsLeaveTheCache()
    {
        const int instances = 3000;
        var guid = Guid.NewGuid().ToString();
        await db.DesireLrpAsync(
            new DesiredLRP
            {
                ProcessGuid = guid,
                Domain = "d",
                RootFs = "preloaded:cflinuxfs4",
                Instances = instances,
                Action = new Bbs.Models.Action { RunAction = new RunAction { Path = "/bin/true", User = "vcap" } },
            },
            CancellationToken.None);
        var cell = new ActualLRPInstanceKey { CellId = "cell-1", InstanceGuid = Guid.NewGuid().ToString() };
        for (int index = 0; index < instances; index++)
        {
            await db.ClaimActualLrpAsync(guid, index, cell, CancellationToken.None);
        }

        // Every claim is in the view now; the next write that reaches the cache sweeps what the view holds.
        await View.ReadAsync(CancellationToken.None);
        var other = Guid.NewGuid().ToString();
        await db.DesireLrpAsync(
            new DesiredLRP
            {
                ProcessGuid = other,
                Domain = "d",
                RootFs = "preloaded:cflinuxfs4",
                Instances = 1,
                Action = new Bbs.Models.Action { RunAction = new RunAction { Path = "/bin/true", User = "vcap" } },
            },
            CancellationToken.None);
        await db.ClaimActualLrpAsync(other, 0, cell, CancellationToken.None);

        Assert.True(db.CachedRecords <= 1024, $"{db.CachedRecords} records cached after {instances} claims the view holds");
        var claimed = (await db.ActualLrpsAsync(new ActualLrpFilter(ProcessGuid: guid), CancellationToken.None)).Count(l => l.State == "CLAIMED");
        Assert.Equal(instances, claimed);
    }
}
