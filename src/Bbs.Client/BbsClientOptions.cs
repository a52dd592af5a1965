using System.Security.Cryptography.X509Certificates;

namespace Bbs.Client;

/// <summary>
/// How a <see cref="BbsClient"/> reaches the BBS. The names follow the Go client's <c>ClientConfig</c>.
/// </summary>
public sealed record BbsClientOptions
{
    /// <summary>Diego's default number of attempts per call (<c>DefaultRetryCount</c>).</summary>
    public const int DefaultRetries = 3;

    /// <summary>
    /// The BBS's base URL, e.g. <c>https://bbs.service.cf.internal:8889</c>. Required when the client builds its
    /// own HttpClient; with a caller's HttpClient it overrides that client's BaseAddress.
    /// </summary>
    public Uri? Url { get; init; }

    /// <summary>
    /// The client certificate (with its private key) presented for mutual TLS, as a BBS of the SQL era always
    /// requires. Only for a client that builds its own HttpClient.
    /// </summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>
    /// The CA certificates the server's certificate must chain to (BBS's <c>ca_file</c>), instead of the system
    /// trust store. Only for a client that builds its own HttpClient.
    /// </summary>
    public X509Certificate2Collection? CaCertificates { get; init; }

    /// <summary>
    /// How long one attempt may take, headers and body; an attempt that runs over counts as a transport failure
    /// (retried; Timeout(31) when the last attempt also runs over). Zero or <see cref="Timeout.InfiniteTimeSpan"/>
    /// sets no limit of our own.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts per call, counting the first (the Go client's <c>Retries</c>); 1 disables retrying.</summary>
    public int Retries { get; init; } = DefaultRetries;

    /// <summary>The pause between attempts; the Go client sleeps 500 ms.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Options for a mutual-TLS BBS from PEM files, as the Go client's <c>NewClient(url, caFile, certFile, keyFile)</c>.
    /// </summary>
    public static BbsClientOptions FromPemFiles(Uri url, string caFile, string certFile, string keyFile)
    {
        var caCertificates = new X509Certificate2Collection();
        caCertificates.ImportFromPemFile(caFile);
        return new BbsClientOptions
        {
            Url = url,
            ClientCertificate = LoadClientCertificate(certFile, keyFile),
            CaCertificates = caCertificates,
        };
    }

    internal bool HasTls => ClientCertificate is not null || CaCertificates is not null;

    internal bool HasRequestTimeout => RequestTimeout > TimeSpan.Zero && RequestTimeout != Timeout.InfiniteTimeSpan;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Retries, 1, nameof(Retries));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryDelay, TimeSpan.Zero, nameof(RetryDelay));
        if (RequestTimeout < TimeSpan.Zero && RequestTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "must not be negative");
        }

        if (Url is not null && (!Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps)))
        {
            throw new ArgumentException($"Url must be an absolute http or https URL, not '{Url}'.", nameof(Url));
        }

        if (HasTls && Url is not null && Url.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException("A client certificate or CA needs an https Url.", nameof(Url));
        }
    }

    private static X509Certificate2 LoadClientCertificate(string certFile, string keyFile)
    {
        var certificate = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        if (!OperatingSystem.IsWindows())
        {
            return certificate;
        }

        // SChannel cannot present a certificate whose key is ephemeral, so give it a PKCS#12-backed one.
        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
        }
    }
}
