using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Bbs.Testing.Tls;

/// <summary>Certificate checks against the tests' private CAs only (no system roots, no revocation lookups).</summary>
public static class PrivateRoots
{
    /// <summary>True when <paramref name="leaf"/> chains to one of <paramref name="roots"/>.</summary>
    public static bool ChainsTo(X509Certificate2 leaf, X509Certificate2Collection roots)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }

    /// <summary>A server-certificate check that accepts exactly the certificates chaining to <paramref name="roots"/>.</summary>
    public static RemoteCertificateValidationCallback TrustOnly(X509Certificate2Collection roots) =>
        (_, certificate, _, _) => certificate is X509Certificate2 leaf && ChainsTo(leaf, roots);

    /// <summary><see cref="TrustOnly(X509Certificate2Collection)"/> for one root.</summary>
    public static RemoteCertificateValidationCallback TrustOnly(X509Certificate2 root) => TrustOnly(new X509Certificate2Collection(root));
}
