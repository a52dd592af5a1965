using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bbs.Client;

namespace Bbs.Server.Tests.Authorization;

/// <summary>
/// A throw-away CA that stays in memory, so each test can issue client certificates with the CN, SAN DNS names and
/// SAN URIs it needs; the server certificate and the CA are written as PEM files for the server's configuration.
/// </summary>
public sealed class AuthorizationPki : IDisposable
{
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private readonly X509Certificate2 ca;
    private readonly ECDsa caKey;
    private int serial;

    public AuthorizationPki(string dir)
    {
        Directory.CreateDirectory(dir);
        CaFile = Path.Combine(dir, "ca.pem");
        ServerCertFile = Path.Combine(dir, "server.pem");
        ServerKeyFile = Path.Combine(dir, "server-key.pem");

        caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=bbs-authz-test-ca", caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddDays(2));
        File.WriteAllText(CaFile, ca.ExportCertificatePem());

        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        using var server = Issue("bbs.service.cf.internal", names, ServerAuth);
        File.WriteAllText(ServerCertFile, server.ExportCertificatePem());
        File.WriteAllText(ServerKeyFile, server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }

    public string CaFile { get; }

    public string ServerCertFile { get; }

    public string ServerKeyFile { get; }

    /// <summary>A client certificate (client-auth EKU) with this CN and these SAN DNS names and URIs.</summary>
    public X509Certificate2 Client(string commonName, string[]? dnsNames = null, string[]? uris = null)
    {
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames ?? [])
        {
            names.AddDnsName(dns);
        }

        foreach (var uri in uris ?? [])
        {
            names.AddUri(new Uri(uri));
        }

        return Issue(commonName, dnsNames is null && uris is null ? null : names, ClientAuth);
    }

    /// <summary>An HttpClient presenting <paramref name="certificate"/> and trusting only this CA.</summary>
    public HttpClient HttpClient(Uri baseAddress, X509Certificate2 certificate) => new(Handler(certificate)) { BaseAddress = baseAddress };

    /// <summary>A BBS client presenting <paramref name="certificate"/>, one attempt per call.</summary>
    public BbsClient BbsClient(Uri baseAddress, X509Certificate2 certificate) =>
        new(HttpClient(baseAddress, certificate), new BbsClientOptions { Retries = 1 });

    public void Dispose()
    {
        ca.Dispose();
        caKey.Dispose();
    }

    private SocketsHttpHandler Handler(X509Certificate2 certificate) => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            ClientCertificates = [certificate],
            RemoteCertificateValidationCallback = Bbs.Testing.Tls.PrivateRoots.TrustOnly(ca),
        },
    };

    private X509Certificate2 Issue(string commonName, SubjectAlternativeNameBuilder? names, string usage)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + commonName), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (names is not null)
        {
            request.CertificateExtensions.Add(names.Build());
        }

        byte[] serialNumber = [(byte)Interlocked.Increment(ref serial), 0x5a, 0x17];
        using var certificate = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), serialNumber);
        return certificate.CopyWithPrivateKey(key);
    }
}
