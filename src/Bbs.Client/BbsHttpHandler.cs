using System.Security.Cryptography.X509Certificates;

namespace Bbs.Client;

/// <summary>The HTTP handler of a client that owns its HttpClient: mutual TLS as BBS requires it, when configured.</summary>
internal static class BbsHttpHandler
{
    public static SocketsHttpHandler Create(BbsClientOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            // Go's transport drops idle connections after 90 s; this also picks up DNS changes.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        };

        if (options.ClientCertificate is { } certificate)
        {
            handler.SslOptions.ClientCertificates = [certificate];

            // Present it whatever CA names the server lists, as Go's tls.Config{Certificates} does.
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate;
        }

        if (options.CaCertificates is { } caCertificates)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,

                // Internal CAs publish no revocation lists; Go does not check revocation either.
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(caCertificates);
            handler.SslOptions.CertificateChainPolicy = policy;
        }

        return handler;
    }
}
