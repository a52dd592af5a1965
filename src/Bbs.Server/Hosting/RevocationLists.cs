using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bbs.Server.Hosting;

/// <summary>
/// The revoked serial numbers of one or more CRLs (<c>ca_crl_file</c>: PEM <c>X509 CRL</c> blocks, or one DER CRL),
/// each verified at load to be signed by a CA of <c>ca_file</c>. .NET's chain builder cannot be handed a CRL file on
/// Linux (it only fetches from distribution points), so the list is read here with <see cref="AsnReader"/> (RFC 5280 §5.1).
/// Immutable; <see cref="ClientCertificateVerifier"/> swaps in a new one when the file changes.
/// </summary>
internal sealed class RevocationLists
{
    // Keyed by the issuer's DER-encoded name, then the serial number in hex (big-endian, as X509Certificate2.SerialNumber).
    private readonly Dictionary<string, HashSet<string>> _revokedByIssuer;

    private RevocationLists(Dictionary<string, HashSet<string>> revokedByIssuer, DateTimeOffset? earliestNextUpdate)
    {
        _revokedByIssuer = revokedByIssuer;
        EarliestNextUpdate = earliestNextUpdate;
    }

    /// <summary>When the first of the lists is due to be replaced (its nextUpdate); null when none says.</summary>
    public DateTimeOffset? EarliestNextUpdate { get; }

    /// <summary>Revoked certificates, all lists together.</summary>
    public int Count => _revokedByIssuer.Values.Sum(s => s.Count);

    /// <summary>Reads and verifies the CRLs in <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file holds no CRL, a malformed one, or one not signed by a CA of <paramref name="issuers"/>.</exception>
    public static RevocationLists Load(string path, X509Certificate2Collection issuers)
    {
        var bytes = File.ReadAllBytes(path);
        var lists = new List<ReadOnlyMemory<byte>>();
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            var rest = text.AsMemory();
            while (PemEncoding.TryFind(rest.Span, out var fields))
            {
                if (rest.Span[fields.Label].SequenceEqual("X509 CRL"))
                {
                    lists.Add(Convert.FromBase64String(rest[fields.Base64Data].ToString()));
                }

                rest = rest[fields.Location.End..];
            }
        }
        else
        {
            lists.Add(bytes);
        }

        if (lists.Count == 0)
        {
            throw new InvalidDataException($"ca_crl_file '{path}' holds no X509 CRL");
        }

        var revoked = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        DateTimeOffset? earliest = null;
        foreach (var der in lists)
        {
            try
            {
                var (issuer, nextUpdate, serials) = Parse(der, issuers);
                if (!revoked.TryGetValue(issuer, out var set))
                {
                    revoked[issuer] = set = new HashSet<string>(StringComparer.Ordinal);
                }

                set.UnionWith(serials);
                earliest = nextUpdate is { } n && (earliest is null || n < earliest) ? n : earliest;
            }
            catch (Exception ex) when (ex is AsnContentException or CryptographicException or FormatException)
            {
                throw new InvalidDataException($"ca_crl_file '{path}' holds a malformed CRL: {ex.Message}", ex);
            }
        }

        return new RevocationLists(revoked, earliest);
    }

    /// <summary>The first certificate of <paramref name="chain"/> (leaf first, the root not checked) its issuer's CRL revokes; null when none is.</summary>
    public X509Certificate2? FindRevoked(X509Chain chain)
    {
        var elements = chain.ChainElements;
        for (var i = 0; i < elements.Count - 1; i++)
        {
            var certificate = elements[i].Certificate;
            if (_revokedByIssuer.TryGetValue(Convert.ToHexString(certificate.IssuerName.RawData), out var serials)
                && serials.Contains(certificate.SerialNumber))
            {
                return certificate;
            }
        }

        return null;
    }

    private static (string Issuer, DateTimeOffset? NextUpdate, List<string> Serials) Parse(ReadOnlyMemory<byte> der, X509Certificate2Collection issuers)
    {
        // CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue BIT STRING }
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var list = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var signed = list.PeekEncodedValue();
        var tbs = list.ReadSequence();
        var algorithm = list.ReadSequence().ReadObjectIdentifier();
        var signature = list.ReadBitString(out _);
        list.ThrowIfNotEmpty();

        // TBSCertList ::= SEQUENCE { version OPTIONAL, signature, issuer, thisUpdate, nextUpdate OPTIONAL,
        //                            revokedCertificates OPTIONAL, crlExtensions [0] OPTIONAL }
        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            tbs.ReadInteger();
        }

        tbs.ReadSequence();
        var issuerName = tbs.ReadEncodedValue().ToArray();
        ReadTime(tbs);
        DateTimeOffset? nextUpdate = tbs.HasData && IsTime(tbs.PeekTag()) ? ReadTime(tbs) : null;
        var serials = new List<string>();
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var entries = tbs.ReadSequence();
            while (entries.HasData)
            {
                var entry = entries.ReadSequence();
                serials.Add(Convert.ToHexString(entry.ReadIntegerBytes().Span));
            }
        }

        if (!issuers.Any(ca => ca.SubjectName.RawData.AsSpan().SequenceEqual(issuerName) && Verify(ca, algorithm, signed.Span, signature)))
        {
            throw new InvalidDataException($"ca_crl_file: a CRL of '{new X500DistinguishedName(issuerName).Name}' is not signed by a CA of ca_file");
        }

        return (Convert.ToHexString(issuerName), nextUpdate, serials);
    }

    private static bool Verify(X509Certificate2 ca, string algorithm, ReadOnlySpan<byte> signed, byte[] signature)
    {
        (bool ecdsa, HashAlgorithmName hash) = algorithm switch
        {
            "1.2.840.10045.4.3.2" => (true, HashAlgorithmName.SHA256),
            "1.2.840.10045.4.3.3" => (true, HashAlgorithmName.SHA384),
            "1.2.840.10045.4.3.4" => (true, HashAlgorithmName.SHA512),
            "1.2.840.113549.1.1.11" => (false, HashAlgorithmName.SHA256),
            "1.2.840.113549.1.1.12" => (false, HashAlgorithmName.SHA384),
            "1.2.840.113549.1.1.13" => (false, HashAlgorithmName.SHA512),
            _ => throw new InvalidDataException($"CRL signature algorithm {algorithm} is not supported (ECDSA or RSA PKCS#1 with SHA-256/384/512)"),
        };
        if (ecdsa)
        {
            using var key = ca.GetECDsaPublicKey();
            return key is not null && key.VerifyData(signed, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }

        using var rsa = ca.GetRSAPublicKey();
        return rsa is not null && rsa.VerifyData(signed, signature, hash, RSASignaturePadding.Pkcs1);
    }

    private static bool IsTime(Asn1Tag tag) =>
        tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
