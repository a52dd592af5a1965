using Bbs.Db;
using Bbs.Db.Format;
using Bbs.Etcd;
using Bbs.Store;
using Bbs.Store.Embedded;
using Bbs.Store.Etcd;
using Bbs.Store.View;
using Microsoft.Extensions.Options;

namespace Bbs.Server.Hosting;

/// <summary>The key-value store the server runs on (<see cref="BbsServerOptions.Store"/>) and the BBS storage on it.</summary>
internal static class StoreRegistration
{
    public static IServiceCollection AddBbsStore(this IServiceCollection services, IConfigurationSection section, BbsServerOptions options)
    {
        // The clock of the BBS rules (since, crash backoff, task expiry); tests replace it. Leases and
        // schedules run on real time regardless.
        services.AddSingleton(TimeProvider.System);

        // The one backoff of every loop that reconnects while the store is unreachable (the view, the leader election).
        services.AddSingleton(options.Backoff());
        services.AddSingleton<IKeyValueStore>(provider => options.Store switch
        {
            StoreKind.Embedded => new EmbeddedKeyValueStore(new EmbeddedKeyValueStoreOptions { MaxRequestBytes = options.MaxRequestBytes }, TimeProvider.System),
            StoreKind.Etcd => EtcdKeyValueStore.Create(
                new EtcdClientOptions
                {
                    Endpoints = [.. options.EtcdEndpointUris()],
                    CaFile = options.EtcdCaFile,
                    CertFile = options.EtcdCertFile,
                    KeyFile = options.EtcdKeyFile,
                    Username = string.IsNullOrEmpty(options.EtcdUsername) ? null : options.EtcdUsername,
                    Password = string.IsNullOrEmpty(options.EtcdPassword) ? null : options.EtcdPassword,
                    RetryBaseDelay = options.EtcdRetryBaseDelay,
                    MaxReconnectDelay = options.EtcdMaxReconnectDelay,
                },
                provider.GetRequiredService<ILogger<EtcdClient>>(),
                options.MaxRequestBytes),
            _ => throw new NotSupportedException($"store '{options.Store}' is not available yet"),
        });

        services.AddOptions<RecordFormatOptions>().Bind(section).Validate(o => o.Validate().Count == 0, "invalid encryption settings (encryption_keys, active_key_label)").ValidateOnStart();
        services.AddOptions<EtcdDbOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(provider => new RecordSerializer(provider.GetRequiredService<IOptions<RecordFormatOptions>>().Value));
        // One view of /v1/ per process: every IDb read is answered from it (see KeyValueView).
        services.AddSingleton(provider => new KeyValueView(
            provider.GetRequiredService<IKeyValueStore>(),
            Keys.Root,
            provider.GetRequiredService<ILogger<KeyValueView>>(),
            RecordProjector.Create(provider.GetRequiredService<RecordSerializer>(), provider.GetRequiredService<ILogger<EtcdDb>>()))
        {
            Backoff = provider.GetRequiredService<ReconnectBackoff>(),
        });
        services.AddHostedService<StoreViewStarter>();
        services.AddSingleton(provider => new RecordResealer(provider.GetRequiredService<IKeyValueStore>(), provider.GetRequiredService<RecordSerializer>()));
        services.AddSingleton<IDb>(provider => new EtcdDb(
            provider.GetRequiredService<IKeyValueStore>(),
            provider.GetRequiredService<KeyValueView>(),
            provider.GetRequiredService<RecordSerializer>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IOptions<EtcdDbOptions>>().Value,
            provider.GetRequiredService<ILogger<EtcdDb>>()));
        return services;
    }
}

/// <summary>
/// Starts loading the store view with the host (reads wait for it; <c>/readyz</c> is 503 until it is loaded) and
/// stops it last. Its listeners (the event hub) are added first, so none misses the first load.
/// </summary>
internal sealed class StoreViewStarter(KeyValueView view, IEnumerable<IViewListener> listeners) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var listener in listeners)
        {
            view.AddListener(listener);
        }

        view.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await view.DisposeAsync().ConfigureAwait(false);
}
