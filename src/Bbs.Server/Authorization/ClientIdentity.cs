using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Bbs.Server.Authorization;

/// <summary>
/// The names a client certificate answers to: its subject CN, and its SAN DNS names and URIs (in that order), and the
/// cell it speaks for: the value of a SAN URI <c>bbs-cell:&lt;cell_id&gt;</c>, else the CN.
/// </summary>
public sealed record ClientIdentity(IReadOnlyList<string> Names, string? CellId)
{
    /// <summary>The SAN URI scheme that names a rep's cell, as in <c>bbs-cell:cell-z1-0</c>.</summary>
    public const string CellUriScheme = "bbs-cell:";

    private const string CommonNameOid = "2.5.4.3";
    private const string SubjectAltNameOid = "2.5.29.17";
    private static readonly Asn1Tag DnsNameTag = new(TagClass.ContextSpecific, 2);
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);

    public static ClientIdentity From(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var names = new List<string>();
        string? commonName = null;
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.GetSingleElementType().Value == CommonNameOid && rdn.GetSingleElementValue() is { Length: > 0 } cn)
            {
                commonName ??= cn;
                names.Add(cn);
            }
        }

        string? cellFromUri = null;
        if (certificate.Extensions[SubjectAltNameOid] is { } san)
        {
            foreach (var (isUri, value) in SubjectAltNames(san.RawData))
            {
                names.Add(value);
                if (isUri && cellFromUri is null && value.StartsWith(CellUriScheme, StringComparison.Ordinal) && value.Length > CellUriScheme.Length)
                {
                    cellFromUri = value[CellUriScheme.Length..];
                }
            }
        }

        return new ClientIdentity(names, cellFromUri ?? commonName);
    }

    /// <summary>
    /// The DNS names and URIs of a SAN extension. .NET's <see cref="X509SubjectAlternativeNameExtension"/> enumerates
    /// DNS names and IP addresses but not URIs, so the GeneralNames are read with System.Formats.Asn1 (RFC 5280 §4.2.1.6).
    /// </summary>
    private static List<(bool IsUri, string Value)> SubjectAltNames(byte[] extension)
    {
        var names = new List<(bool IsUri, string Value)>();
        try
        {
            var sequence = new AsnReader(extension, AsnEncodingRules.DER).ReadSequence();
            while (sequence.HasData)
            {
                var tag = sequence.PeekTag();
                if (tag == DnsNameTag || tag == UriTag)
                {
                    names.Add((tag == UriTag, sequence.ReadCharacterString(UniversalTagNumber.IA5String, tag)));
                }
                else
                {
                    sequence.ReadEncodedValue();
                }
            }
        }
        catch (AsnContentException)
        {
            // A malformed extension names nobody: the client keeps only its CN, so it can gain no role from it.
            return [];
        }

        return names;
    }
}
