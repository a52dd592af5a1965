using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bbs.Peers;

/// <summary>
/// The HTTP handler for calls to a peer over mutual TLS: presents the client certificate, trusts only the peer CA
/// bundle for the peer's certificate (which must be for server use and name the host called), and uses
/// <see cref="TlsDefaults"/>. Plain http:// URLs go through the same handler without TLS.
/// </summary>
internal static class PeerTls
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    /// <summary>The handler with TLS credentials from PEM files; without them (all null), the platform's defaults.</summary>
    public static SocketsHttpHandler CreateHandler(string? caFile, string? certFile, string? keyFile)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.EnabledSslProtocols = TlsDefaults.Protocols;
        handler.SslOptions.CipherSuitesPolicy = TlsDefaults.CipherSuites;
        if (caFile is null || certFile is null || keyFile is null)
        {
            return handler;
        }

        var client = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,

            // Diego's peers publish no CRLs; trust is the CA bundle.
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.ImportFromPemFile(caFile);
        policy.ApplicationPolicy.Add(ServerAuth);
        handler.SslOptions.ClientCertificates = [client];
        handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => client;
        handler.SslOptions.CertificateChainPolicy = policy;
        return handler;
    }
}
