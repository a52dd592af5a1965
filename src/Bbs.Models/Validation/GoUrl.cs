namespace Bbs.Models.Validation;

/// <summary>
/// The part of Go's <c>net/url.Parse</c> that BBS's rootfs rule depends on: the text must parse and carry a
/// scheme (<c>preloaded:cflinuxfs2</c>, <c>docker:///cloudfoundry/grace</c>).
/// </summary>
internal static class GoUrl
{
    public static bool HasScheme(string rawUrl)
    {
        foreach (var c in rawUrl)
        {
            if (c < 0x20 || c == 0x7f)
            {
                return false; // Go: "invalid control character in URL"
            }
        }

        var colon = SchemeEnd(rawUrl);
        if (colon <= 0)
        {
            return false;
        }

        var rest = rawUrl[(colon + 1)..];

        var hash = rest.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            if (!EscapesAreValid(rest[(hash + 1)..]))
            {
                return false;
            }

            rest = rest[..hash];
        }

        var question = rest.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0)
        {
            rest = rest[..question];
        }

        if (!rest.StartsWith('/'))
        {
            return true; // opaque, e.g. "preloaded:cflinuxfs2": Go does not look inside it
        }

        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            var authorityEnd = rest.IndexOf('/', 2);
            var authority = authorityEnd < 0 ? rest[2..] : rest[2..authorityEnd];
            if (!AuthorityIsValid(authority))
            {
                return false;
            }

            rest = authorityEnd < 0 ? string.Empty : rest[authorityEnd..];
        }

        return EscapesAreValid(rest);
    }

    // The index of the ':' ending a scheme ([a-zA-Z][a-zA-Z0-9+.-]*), or -1 when the text has no scheme.
    private static int SchemeEnd(string rawUrl)
    {
        for (var i = 0; i < rawUrl.Length; i++)
        {
            var c = rawUrl[i];
            if (char.IsAsciiLetter(c))
            {
                continue;
            }

            if (char.IsAsciiDigit(c) || c is '+' or '-' or '.')
            {
                if (i == 0)
                {
                    return -1;
                }

                continue;
            }

            return c == ':' ? i : -1;
        }

        return -1;
    }

    private static bool AuthorityIsValid(string authority)
    {
        var at = authority.LastIndexOf('@');
        var host = at < 0 ? authority : authority[(at + 1)..];
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']', StringComparison.Ordinal);
            return close >= 0 && PortIsValid(host[(close + 1)..]) && EscapesAreValid(host[..close]);
        }

        var colon = host.LastIndexOf(':');
        return (colon < 0 || PortIsValid(host[colon..])) && EscapesAreValid(colon < 0 ? host : host[..colon]);
    }

    // Go's validOptionalPort: empty, or ':' followed by digits only.
    private static bool PortIsValid(string port) =>
        port.Length == 0 || (port[0] == ':' && !port.AsSpan(1).ContainsAnyExceptInRange('0', '9'));

    private static bool EscapesAreValid(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '%')
            {
                continue;
            }

            if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
            {
                return false; // Go: "invalid URL escape"
            }

            i += 2;
        }

        return true;
    }
}
