using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bbs.Etcd;

/// <summary>
/// Builds the one <see cref="GrpcChannel"/> a client uses: Grpc.Net.Client over a <see cref="SocketsHttpHandler"/>
/// (HTTP/2 cleartext for <c>http://</c> endpoints, TLS with optional client certificate for <c>https://</c> ones),
/// with every endpoint behind a static resolver and the <c>round_robin</c> balancer, as etcd's Go client does. A
/// member that cannot be reached is taken out of the rotation by the balancer and tried again in the background.
/// </summary>
internal static class EtcdChannel
{
    /// <summary>The channel's address; the static resolver ignores it and answers with the configured endpoints.</summary>
    private const string Address = "static:///etcd";

    public static GrpcChannel Create(EtcdClientOptions options, IReadOnlyList<Uri> endpoints, ILoggerFactory? loggerFactory)
    {
        var addresses = endpoints.Select(e => new BalancerAddress(e.Host, e.Port)).ToArray();
        var services = new ServiceCollection();
        services.AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => addresses));
        bool tls = endpoints[0].Scheme == Uri.UriSchemeHttps;
        return GrpcChannel.ForAddress(Address, new GrpcChannelOptions
        {
            HttpHandler = CreateHandler(options),
            DisposeHttpClient = true,
            Credentials = tls ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure,
            ServiceProvider = services.BuildServiceProvider(),
            ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } },

            // Retries are ours (one Polly pipeline, idempotent calls only): a write that may have been applied is never resent.
            MaxRetryAttempts = 0,

            // Reconnect to a member that went away within our own retry delays, not gRPC's default of up to two minutes.
            InitialReconnectBackoff = options.RetryBaseDelay,
            MaxReconnectBackoff = options.MaxRetryDelay,
            MaxReceiveMessageSize = options.MaxReceiveMessageBytes,
            MaxSendMessageSize = null,
            LoggerFactory = loggerFactory,
        });
    }

    private static SocketsHttpHandler CreateHandler(EtcdClientOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = options.ConnectTimeout,
            KeepAlivePingDelay = options.KeepAlivePingDelay,
            KeepAlivePingTimeout = options.KeepAlivePingTimeout,

            // Ping only while calls are open: etcd counts pings on idle connections as abuse (GOAWAY too_many_pings).
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
        };

        if (options.CaFile is not null || options.CertFile is not null)
        {
            handler.SslOptions = CreateSslOptions(options);
        }

        return handler;
    }

    private static SslClientAuthenticationOptions CreateSslOptions(EtcdClientOptions options)
    {
        var ssl = new SslClientAuthenticationOptions();
        if (options.CertFile is not null && options.KeyFile is not null)
        {
            var certificate = X509Certificate2.CreateFromPemFile(options.CertFile, options.KeyFile);
            if (OperatingSystem.IsWindows())
            {
                // SChannel cannot use the ephemeral key of a PEM-loaded certificate; a PKCS#12 round trip persists it.
                using var ephemeral = certificate;
                certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
            }

            ssl.ClientCertificates = [certificate];
        }

        if (options.CaFile is not null)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(options.CaFile);
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) => IsTrusted(certificate, errors, roots);
        }

        return ssl;
    }

    private static bool IsTrusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (certificate is not X509Certificate2 leaf || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }
}
