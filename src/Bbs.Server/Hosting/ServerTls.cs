using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Bbs.Server.Hosting;

/// <summary>
/// TLS for the API: the server certificate from PEM files, TLS 1.2 or 1.3, and, with a CA bundle, required
/// client certificates verified against that bundle only (NEW's BBS: mutual TLS with internal-service defaults).
/// </summary>
internal static class ServerTls
{
    public static void Configure(HttpsConnectionAdapterOptions https, BbsServerOptions options)
    {
        https.ServerCertificate = X509Certificate2.CreateFromPemFile(options.CertFile!, options.KeyFile!);
        https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        if (options.CaFile is null)
        {
            return;
        }

        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(options.CaFile);
        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
        https.ClientCertificateValidation = (certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate);
        };
    }
}
