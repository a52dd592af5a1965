using System.Security.Cryptography.X509Certificates;
using Bbs.Peers;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Bbs.Server.Hosting;

/// <summary>
/// TLS for the API: the server certificate from PEM files, TLS 1.2 or 1.3 with ECDHE and AEAD suites only
/// (<see cref="TlsDefaults"/>), and, with a CA bundle, required client certificates that
/// <see cref="ClientCertificateVerifier"/> accepts (NEW's BBS: mutual TLS with internal-service defaults).
/// </summary>
internal static class ServerTls
{
    /// <exception cref="InvalidDataException">ca_crl_file is malformed or not signed by a CA of ca_file; the server does not start.</exception>
    public static void Configure(HttpsConnectionAdapterOptions https, BbsServerOptions options, ILogger logger)
    {
        https.ServerCertificate = X509Certificate2.CreateFromPemFile(options.CertFile!, options.KeyFile!);
        https.SslProtocols = TlsDefaults.Protocols;
        if (TlsDefaults.CipherSuites is { } suites)
        {
            https.OnAuthenticate = (_, ssl) => ssl.CipherSuitesPolicy = suites;
        }

        if (options.CaFile is null)
        {
            return;
        }

        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(options.CaFile);
        var verifier = new ClientCertificateVerifier(roots, options.CaCrlFile, logger);
        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
        https.ClientCertificateValidation = (certificate, chain, _) => verifier.Verify(certificate, chain);
    }
}
