using Bbs.Store;

namespace Bbs.Server.Hosting;

internal static class StoreRegistration
{
    public static IServiceCollection AddBbsStore(this IServiceCollection services, BbsServerOptions options)
    {
        _ = options;
        services.AddSingleton<IKeyValueStore>(_ => throw new NotSupportedException("store wiring lands with the store implementations"));
        return services;
    }
}
