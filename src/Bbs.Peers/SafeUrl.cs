namespace Bbs.Peers;

/// <summary>URLs as logs may show them: without the credentials a URL can carry (<c>user:password@</c>).</summary>
public static class SafeUrl
{
    /// <summary>The URL with its user info replaced by <c>***</c>; a text that does not parse as a URL is cut to its scheme.</summary>
    public static string ForLog(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return string.Empty;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            // It may still hold credentials in a form Uri refuses; show nothing after the scheme.
            var scheme = url.IndexOf("://", StringComparison.Ordinal);
            return scheme > 0 ? url[..(scheme + 3)] + "(unparsable)" : "(unparsable)";
        }

        return uri.UserInfo.Length == 0 ? url : new UriBuilder(uri) { UserName = "***", Password = string.Empty }.Uri.ToString();
    }
}
