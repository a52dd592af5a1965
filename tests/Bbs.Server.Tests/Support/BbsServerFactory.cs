using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Bbs.Server.Tests.Support;

/// <summary>
/// Hosts the real server (Program.cs, the whole pipeline) on Kestrel on a free loopback port, so tests talk
/// real HTTP to it. Settings are the server's configuration keys (<c>Bbs:store</c>, ...).
/// </summary>
public sealed class BbsServerFactory : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?> settings;
    private readonly Action<IServiceCollection>? configureServices;

    /// <param name="settings">Server configuration keys.</param>
    /// <param name="configureServices">Runs after the server's own registrations, e.g. to replace the <see cref="TimeProvider"/> of the BBS rules.</param>
    public BbsServerFactory(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        this.settings = settings ?? new Dictionary<string, string?>();
        this.configureServices = configureServices;
        UseKestrel();
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        BaseAddress = new Uri(addresses.First());
    }

    /// <summary>Where the server listens (a free loopback port).</summary>
    public Uri BaseAddress { get; }

    /// <summary>A plain HttpClient for the server's real address; requests carry no default Content-Type.</summary>
    public HttpClient CreateHttpClient() => new() { BaseAddress = BaseAddress };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseSetting("Bbs:listen_address", "127.0.0.1:0");
        builder.UseSetting("Bbs:log_level", "warn");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (configureServices is not null)
        {
            builder.ConfigureTestServices(configureServices);
        }
    }
}
