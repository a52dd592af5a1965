using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bbs.Testing.Etcd;

/// <summary>
/// Throw-away PKI for TLS tests (etcd and the BBS server): a CA, a server certificate for 127.0.0.1/localhost and a client certificate,
/// written as PEM files (keys PKCS#8) and valid for a day.
/// </summary>
public sealed class EtcdTls
{
    private EtcdTls(string dir)
    {
        CaFile = Path.Combine(dir, "ca.pem");
        ServerCertFile = Path.Combine(dir, "server.pem");
        ServerKeyFile = Path.Combine(dir, "server-key.pem");
        ClientCertFile = Path.Combine(dir, "client.pem");
        ClientKeyFile = Path.Combine(dir, "client-key.pem");
    }

    public string CaFile { get; }

    public string ServerCertFile { get; }

    public string ServerKeyFile { get; }

    public string ClientCertFile { get; }

    public string ClientKeyFile { get; }

    public static EtcdTls Create(string dir)
    {
        Directory.CreateDirectory(dir);
        var tls = new EtcdTls(dir);
        var notBefore = DateTimeOffset.UtcNow.AddHours(-1);
        var notAfter = DateTimeOffset.UtcNow.AddDays(1);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=bbs-test-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(notBefore, notAfter);
        File.WriteAllText(tls.CaFile, ca.ExportCertificatePem());

        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        IssueLeaf(ca, "CN=bbs-test-etcd", names.Build(), "1.3.6.1.5.5.7.3.1", notBefore, notAfter, 1, tls.ServerCertFile, tls.ServerKeyFile);
        IssueLeaf(ca, "CN=bbs-test-client", null, "1.3.6.1.5.5.7.3.2", notBefore, notAfter, 2, tls.ClientCertFile, tls.ClientKeyFile);
        return tls;
    }

    /// <summary>A handler that trusts only the test CA and presents the client certificate.</summary>
    public SocketsHttpHandler CreateHandler()
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(CaFile);
        return new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [X509Certificate2.CreateFromPemFile(ClientCertFile, ClientKeyFile)],
                RemoteCertificateValidationCallback = Tls.PrivateRoots.TrustOnly(roots),
            },
        };
    }

    private static void IssueLeaf(X509Certificate2 ca, string subject, X509Extension? names, string usage, DateTimeOffset notBefore, DateTimeOffset notAfter, byte serial, string certFile, string keyFile)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (names is not null)
        {
            request.CertificateExtensions.Add(names);
        }

        using var certificate = request.Create(ca, notBefore, notAfter, [serial, 0x42]);
        File.WriteAllText(certFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
    }
}
