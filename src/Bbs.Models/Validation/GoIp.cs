using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Bbs.Models.Validation;

/// <summary>
/// Go's <c>net.ParseIP</c> and <c>net.ParseCIDR</c> as BBS's egress rules use them. Addresses come back in
/// Go's 16-byte form (IPv4 as ::ffff:a.b.c.d) because BBS compares range ends byte by byte in that form.
/// </summary>
internal static class GoIp
{
    public static byte[]? Parse(string text)
    {
        if (text.Contains(':', StringComparison.Ordinal))
        {
            // Go takes no zone, brackets or scope here.
            if (text.Contains('%', StringComparison.Ordinal) || text.Contains('[', StringComparison.Ordinal) ||
                !IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return null;
            }

            return v6.GetAddressBytes();
        }

        var v4 = ParseV4(text);
        if (v4 is null)
        {
            return null;
        }

        var mapped = new byte[16];
        mapped[10] = 0xff;
        mapped[11] = 0xff;
        v4.CopyTo(mapped, 12);
        return mapped;
    }

    /// <summary>Null when valid; otherwise Go's error text, "invalid CIDR address: X".</summary>
    public static string? CidrError(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            var address = text[..slash];
            var prefix = text[(slash + 1)..];
            var bits = address.Contains(':', StringComparison.Ordinal) ? 128 : 32;
            if (Parse(address) is not null &&
                prefix.Length > 0 &&
                !prefix.AsSpan().ContainsAnyExceptInRange('0', '9') &&
                int.TryParse(prefix, NumberStyles.None, CultureInfo.InvariantCulture, out var length) &&
                length <= bits)
            {
                return null;
            }
        }

        return "invalid CIDR address: " + text;
    }

    // Dotted decimal with exactly four parts, each 0-255 without leading zeros (Go 1.17 and later).
    private static byte[]? ParseV4(string text)
    {
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return null;
        }

        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            var part = parts[i];
            if (part.Length is 0 or > 3 ||
                part.AsSpan().ContainsAnyExceptInRange('0', '9') ||
                (part.Length > 1 && part[0] == '0'))
            {
                return null;
            }

            var value = int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture);
            if (value > 255)
            {
                return null;
            }

            bytes[i] = (byte)value;
        }

        return bytes;
    }
}
