using System.Net;
using System.Net.Http.Headers;

namespace Bbs.Peers;

/// <summary>One HTTP attempt against a peer: send, and turn an unexpected status into a typed exception.</summary>
internal static class PeerHttp
{
    private const int MaxErrorBodyChars = 512;
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>
    /// Sends one request. <paramref name="body"/> null sends no body; an empty array sends an empty JSON-typed body
    /// (the rep's stop call sets Content-Type without a body). Statuses <paramref name="accepted"/> rejects become
    /// the exception <paramref name="refused"/> builds from the status and the start of the response body.
    /// </summary>
    public static async Task SendAsync(
        HttpClient http,
        HttpMethod method,
        Uri uri,
        byte[]? body,
        Func<HttpStatusCode, bool> accepted,
        Func<HttpStatusCode, string, PeerException> refused,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = Json;
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (accepted(response.StatusCode))
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        throw refused(response.StatusCode, text.Length > MaxErrorBodyChars ? text[..MaxErrorBodyChars] : text);
    }

    /// <summary>The base address joined with a path, the way rata's request generator joins them (no slash lost or doubled).</summary>
    public static Uri Join(string baseAddress, string path) => new(baseAddress.TrimEnd('/') + path, UriKind.Absolute);
}
