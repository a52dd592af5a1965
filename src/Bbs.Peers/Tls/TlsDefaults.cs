using System.Net.Security;
using System.Security.Authentication;

namespace Bbs.Peers;

/// <summary>
/// The TLS settings every BBS connection uses, the API's and the peers' alike (Diego's <c>tlsconfig</c> internal
/// service defaults): TLS 1.2 or 1.3, and on TLS 1.2 only ECDHE key exchange with AEAD ciphers (AES-GCM,
/// ChaCha20-Poly1305), so no CBC, RC4, 3DES or static-RSA suite is ever negotiated.
/// </summary>
public static class TlsDefaults
{
    /// <summary>TLS 1.2 and 1.3; SSL 3, TLS 1.0 and 1.1 are refused.</summary>
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>The TLS 1.2 and 1.3 suites of <see cref="CipherSuites"/>.</summary>
    public static IReadOnlyList<TlsCipherSuite> AllowedSuites { get; } =
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    /// <summary>
    /// The suites offered and accepted where the platform lets us choose them (Linux and macOS, through OpenSSL);
    /// null elsewhere, where the platform's own policy applies (Windows' defaults exclude the weak suites too).
    /// </summary>
    public static CipherSuitesPolicy? CipherSuites { get; } = CreatePolicy(); // After AllowedSuites: static fields initialize in textual order.

    private static CipherSuitesPolicy? CreatePolicy() =>
        OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? new CipherSuitesPolicy(AllowedSuites) : null;
}
