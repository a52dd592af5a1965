using System.Collections.Concurrent;
using Bbs.Server.Tests.Support;
using Bbs.Store;
using Bbs.Testing.Store;
using Microsoft.Extensions.DependencyInjection;
using static Bbs.Server.Tests.Events.EventReader;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Events;

/// <summary>
/// The process follows the store with one watch: the store view's, which feeds both reads and the event hub, so
/// each change is read from the store and decrypted once.
/// </summary>
public abstract class SharedWatchTests<TServer>(TServer server)
    where TServer : BbsServer, IWatchCounting
{
    [Fact]
    public async Task LiveEventsAndReadsComeFromTheViewsOneWatch()
    {
        await using var reader = await LrpsAsync(server.Client);
        var guid = TestModels.NewGuid();
        await server.Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 2));
        await server.Client.ClaimActualLrpAsync(guid, 0, TestModels.InstanceKey(TestModels.NewGuid("cell")));

        var events = await reader.TakeForAsync(4, [guid]);
        Assert.Equal(
            ["actual_lrp_changed", "actual_lrp_created", "actual_lrp_created", "desired_lrp_created"],
            events.Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal(2, (await server.Client.ActualLrpsAsync(new Bbs.Client.ActualLrpFilter(ProcessGuid: guid))).Count);

        // One watch over the whole keyspace (the view's); none on /v1/ for the hub.
        Assert.Equal([string.Empty], server.WatchPrefixes.ToArray());
    }
}

/// <summary>A server fixture that records every watch its store is asked for.</summary>
public interface IWatchCounting
{
    ConcurrentQueue<string> WatchPrefixes { get; }
}

public sealed class EmbeddedWatchCountingServer : EmbeddedBbsServer, IWatchCounting
{
    public ConcurrentQueue<string> WatchPrefixes { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) => WatchCounting.Wrap(services, WatchPrefixes);
}

public sealed class EtcdWatchCountingServer : EtcdBbsServer, IWatchCounting
{
    public ConcurrentQueue<string> WatchPrefixes { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) => WatchCounting.Wrap(services, WatchPrefixes);
}

internal sealed class WatchCounting(IKeyValueStore inner, ConcurrentQueue<string> prefixes) : StoreDecorator(inner)
{
    public static void Wrap(IServiceCollection services, ConcurrentQueue<string> prefixes)
    {
        var original = services.Last(d => d.ServiceType == typeof(IKeyValueStore));
        services.AddSingleton<IKeyValueStore>(provider => new WatchCounting((IKeyValueStore)original.ImplementationFactory!(provider), prefixes));
    }

    public override IAsyncEnumerable<WatchBatch> WatchAsync(string prefix, long startRevision, CancellationToken cancellationToken)
    {
        prefixes.Enqueue(prefix);
        return base.WatchAsync(prefix, startRevision, cancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        await Inner.DisposeAsync();
        await base.DisposeAsync();
    }
}

public sealed class EmbeddedSharedWatchTests(EmbeddedWatchCountingServer server) : SharedWatchTests<EmbeddedWatchCountingServer>(server), IClassFixture<EmbeddedWatchCountingServer>;

public sealed class EtcdSharedWatchTests(EtcdWatchCountingServer server) : SharedWatchTests<EtcdWatchCountingServer>(server), IClassFixture<EtcdWatchCountingServer>;
