using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Bbs.Peers;

/// <summary>Registers the BBS's peers: the auctioneer client, the auction requester (a hosted service) and the rep client factory.</summary>
public static class PeersServiceCollectionExtensions
{
    /// <summary>
    /// Registers the peers with options bound from <paramref name="configuration"/>, the server's section
    /// (keys <c>auctioneer_address</c>, <c>communication_timeout</c>, <c>auction_batch_window</c>, … as on
    /// <see cref="AuctioneerOptions"/> and <see cref="RepClientOptions"/>). Options are validated at start. Call once.
    /// </summary>
    public static IServiceCollection AddBbsPeers(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AuctioneerOptions>().Bind(configuration).ValidateOnStart();
        services.AddOptions<RepClientOptions>().Bind(configuration).ValidateOnStart();
        return services.AddPeerServices();
    }

    /// <summary>Registers the peers with options set in code (defaults: no auctioneer; see the options types). Call once.</summary>
    public static IServiceCollection AddBbsPeers(
        this IServiceCollection services,
        Action<AuctioneerOptions>? configureAuctioneer = null,
        Action<RepClientOptions>? configureRep = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<AuctioneerOptions>().Configure(o => configureAuctioneer?.Invoke(o)).ValidateOnStart();
        services.AddOptions<RepClientOptions>().Configure(o => configureRep?.Invoke(o)).ValidateOnStart();
        return services.AddPeerServices();
    }

    private static IServiceCollection AddPeerServices(this IServiceCollection services)
    {
        services.AddLogging();
        services.AddMetrics();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuctioneerOptions>, PeerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RepClientOptions>, PeerOptionsValidator>());

        // Attempt deadlines come from the resilience pipeline, so HttpClient's own 100 s timeout is turned off.
        // The clients log failures themselves, with the guids involved; the factory's per-request logging is noise.
        // With TLS credentials, the primary handler speaks mutual TLS to https:// peers (NEW's auctioneer_* and rep_* keys).
        services.AddHttpClient(AuctioneerClient.HttpClientName)
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var o = sp.GetRequiredService<IOptions<AuctioneerOptions>>().Value;
                return PeerTls.CreateHandler(o.CaCert, o.ClientCert, o.ClientKey);
            })
            .RemoveAllLoggers();
        services.AddHttpClient(RepClientFactory.HttpClientName)
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var o = sp.GetRequiredService<IOptions<RepClientOptions>>().Value;
                return PeerTls.CreateHandler(o.CaCert, o.ClientCert, o.ClientKey);
            })
            .RemoveAllLoggers();

        services.TryAddSingleton<PeerMetrics>();
        services.TryAddSingleton<IAuctioneerClient, AuctioneerClient>();
        services.TryAddSingleton<AuctionRequester>();
        services.TryAddSingleton<IAuctionRequester>(sp => sp.GetRequiredService<AuctionRequester>());
        services.AddHostedService(sp => sp.GetRequiredService<AuctionRequester>());
        services.TryAddSingleton<IRepClientFactory, RepClientFactory>();
        return services;
    }
}
