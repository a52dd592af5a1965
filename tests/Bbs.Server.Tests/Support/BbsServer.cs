using Bbs.Client;
using Bbs.Models;
using Bbs.Testing.Etcd;
using Bbs.Testing.Peers;
using Microsoft.Extensions.DependencyInjection;

namespace Bbs.Server.Tests.Support;

/// <summary>
/// A running server with a fake auctioneer and a fake rep (real HTTP servers on loopback) wired to it,
/// and a <see cref="BbsClient"/> for it. Subclasses choose the store; test classes share one per class,
/// so every test works on its own process guids.
/// </summary>
public abstract class BbsServer : IAsyncLifetime
{
    public BbsServerFactory Factory { get; private set; } = null!;

    public FakeAuctioneer Auctioneer { get; private set; } = null!;

    public FakeRep Rep { get; private set; } = null!;

    public BbsClient Client { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public abstract string StoreName { get; }

    public T GetService<T>()
        where T : notnull => Factory.Services.GetRequiredService<T>();

    /// <summary>Registers a live cell whose rep is the fake rep.</summary>
    public Task RegisterCellAsync(string cellId) =>
        Client.UpsertCellAsync(new CellPresence { CellId = cellId, RepAddress = Rep.Url, RepUrl = Rep.Url, Zone = "z1" }, TimeSpan.FromMinutes(5));

    public virtual async Task InitializeAsync()
    {
        Auctioneer = await FakeAuctioneer.StartAsync();
        Rep = await FakeRep.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Bbs:auctioneer_address"] = Auctioneer.Url,
            ["Bbs:auction_batch_window"] = "00:00:00.010",

            // The leader converges once at start (on an empty store), then not again during a test class unless
            // a test asks for it: periodic passes would otherwise race tests that use unregistered cells.
            ["Bbs:converge_repeat_interval"] = "01:00:00",
        };
        foreach (var (key, value) in await StoreSettingsAsync())
        {
            settings[key] = value;
        }

        foreach (var (key, value) in ExtraSettings)
        {
            settings[key] = value;
        }

        Factory = new BbsServerFactory(settings, ConfigureServices);
        Http = Factory.CreateHttpClient();
        Client = new BbsClient(Factory.CreateHttpClient(), new BbsClientOptions { Url = Factory.BaseAddress });
        await WaitUntilLeadingAsync();
    }

    /// <summary>Waits until this server leads and its leader work (the callback feed) is subscribed to its hub.</summary>
    protected async Task WaitUntilLeadingAsync()
    {
        var election = GetService<Bbs.Server.Leadership.LeaderElection>();
        var hub = GetService<Bbs.Server.Events.EventHub>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(election.IsLeader && hub.SubscriberCount > 0))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the {StoreName} server did not become leader within 30 s");
            }

            await Task.Delay(20);
        }
    }

    public virtual async Task DisposeAsync()
    {
        Client.Dispose();
        Http.Dispose();
        await Factory.DisposeAsync();
        await Auctioneer.DisposeAsync();
        await Rep.DisposeAsync();
    }

    /// <summary>Settings applied after the store's, for a fixture that needs a non-default server (e.g. <c>Bbs:max_task_retries</c>).</summary>
    protected virtual IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>();

    /// <summary>Service overrides applied after the server's own registrations (e.g. a manual <see cref="TimeProvider"/>).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    protected abstract Task<IReadOnlyDictionary<string, string?>> StoreSettingsAsync();
}

/// <summary>The server on its embedded (in-memory) store.</summary>
public class EmbeddedBbsServer : BbsServer
{
    public override string StoreName => "embedded";

    protected override Task<IReadOnlyDictionary<string, string?>> StoreSettingsAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?> { ["Bbs:store"] = "embedded" });
}

/// <summary>The server on a private, real etcd (or ETCD_ENDPOINTS).</summary>
public class EtcdBbsServer : BbsServer
{
    private EtcdServer? etcd;

    public override string StoreName => "etcd";

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (etcd is not null)
        {
            await etcd.DisposeAsync();
        }
    }

    protected override async Task<IReadOnlyDictionary<string, string?>> StoreSettingsAsync()
    {
        etcd = await EtcdServer.StartNewAsync();
        return new Dictionary<string, string?>
        {
            ["Bbs:store"] = "etcd",
            ["Bbs:etcd_endpoints"] = string.Join(',', etcd.ClientUrls),
        };
    }
}
