using Bbs.Store;
using Bbs.Store.Embedded;

namespace Bbs.Server.Hosting;

/// <summary>Chooses the key-value store the server runs on (<see cref="BbsServerOptions.Store"/>).</summary>
internal static class StoreRegistration
{
    public static IServiceCollection AddBbsStore(this IServiceCollection services, BbsServerOptions options)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IKeyValueStore>(provider => options.Store switch
        {
            StoreKind.Embedded => new EmbeddedKeyValueStore(new EmbeddedKeyValueStoreOptions(), provider.GetRequiredService<TimeProvider>()),
            _ => throw new NotSupportedException($"store '{options.Store}' is not available yet"),
        });
        return services;
    }
}
