using System.Net;
using System.Net.Security;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bbs.Testing.Tls;

/// <summary>
/// A throw-away certificate authority for TLS tests: issues server and client certificates with the extended key
/// usages, names and validity a test asks for, signs CRLs, and writes everything as PEM files (keys PKCS#8) under
/// its directory. Dispose to release the CA's key; the files stay until the test deletes the directory.
/// </summary>
public sealed class TestCa : IDisposable
{
    /// <summary>The server-authentication EKU (1.3.6.1.5.5.7.3.1).</summary>
    public const string ServerAuth = "1.3.6.1.5.5.7.3.1";

    /// <summary>The client-authentication EKU (1.3.6.1.5.5.7.3.2).</summary>
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    private readonly string _dir;
    private readonly X509Certificate2 _ca;
    private int _serial;

    private TestCa(string dir, X509Certificate2 ca)
    {
        _dir = dir;
        _ca = ca;
        CaFile = Path.Combine(dir, "ca.pem");
        File.WriteAllText(CaFile, ca.ExportCertificatePem());
    }

    /// <summary>The CA certificate, PEM: the value for <c>ca_file</c>, <c>rep_ca_cert</c>, <c>auctioneer_ca_cert</c>.</summary>
    public string CaFile { get; }

    /// <summary>The CA certificate (public part only).</summary>
    public X509Certificate2 Certificate => X509CertificateLoader.LoadCertificate(_ca.RawData);

    /// <summary>Creates a CA named <paramref name="name"/>, valid from an hour ago for a day, its files under <paramref name="dir"/>.</summary>
    public static TestCa Create(string dir, string name = "bbs-test-ca")
    {
        Directory.CreateDirectory(dir);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        return new TestCa(dir, ca);
    }

    /// <summary>A server certificate for 127.0.0.1 and localhost (EKU serverAuth).</summary>
    public Issued IssueServer(string name = "server") =>
        Issue(name, [ServerAuth], serverNames: true);

    /// <summary>A client certificate (EKU clientAuth unless <paramref name="usages"/> says otherwise; an empty list omits the extension).</summary>
    public Issued IssueClient(string name = "client", string[]? usages = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null) =>
        Issue(name, usages ?? [ClientAuth], serverNames: false, notBefore, notAfter);

    /// <summary>
    /// A CRL signed by this CA revoking <paramref name="revoked"/>, written to <paramref name="fileName"/> as PEM
    /// (<c>-----BEGIN X509 CRL-----</c>); returns its path.
    /// </summary>
    public string WriteCrl(string fileName, params Issued[] revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var certificate in revoked)
        {
            builder.AddEntry(certificate.Certificate, DateTimeOffset.UtcNow.AddMinutes(-5), X509RevocationReason.KeyCompromise);
        }

        var der = builder.Build(_ca, BigInteger.One, DateTimeOffset.UtcNow.AddDays(1), HashAlgorithmName.SHA256);
        var path = Path.Combine(_dir, fileName);
        File.WriteAllText(path, PemEncoding.WriteString("X509 CRL", der));
        return path;
    }

    /// <summary>A handler that trusts only this CA for the server and presents <paramref name="client"/> (none when null).</summary>
    public SocketsHttpHandler CreateHandler(Issued? client)
    {
        var root = Certificate;
        return new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = client is null ? null : [client.Certificate],

                // Present the certificate even when the client's own checks would not pick it (expired, wrong usage):
                // the server is the one under test.
                LocalCertificateSelectionCallback = client is null ? null : (_, _, _, _, _) => client.Certificate,
                RemoteCertificateValidationCallback = PrivateRoots.TrustOnly(root),
            },
        };
    }

    public void Dispose() => _ca.Dispose();

    private Issued Issue(string name, string[] usages, bool serverNames, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        if (usages.Length > 0)
        {
            var oids = new OidCollection();
            foreach (var usage in usages)
            {
                oids.Add(new Oid(usage));
            }

            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, true, false));
        if (serverNames)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }

        // Two bytes, the first never zero nor with its top bit set: a minimal, positive DER integer.
        var n = Interlocked.Increment(ref _serial);
        byte[] serial = [(byte)(0x10 + ((n >> 8) & 0x3f)), (byte)n];
        using var certificate = request.Create(
            _ca,
            notBefore ?? DateTimeOffset.UtcNow.AddHours(-1),
            notAfter ?? DateTimeOffset.UtcNow.AddHours(12),
            serial);
        var certFile = Path.Combine(_dir, $"{name}.pem");
        var keyFile = Path.Combine(_dir, $"{name}-key.pem");
        File.WriteAllText(certFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return new Issued(certFile, keyFile, X509Certificate2.CreateFromPemFile(certFile, keyFile));
    }

    /// <summary>An issued certificate: its PEM files and the certificate with its private key.</summary>
    public sealed record Issued(string CertFile, string KeyFile, X509Certificate2 Certificate);
}
