using Bbs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

namespace Bbs.Peers;

/// <summary>Builds <see cref="IRepClient"/>s that share one HTTP client configuration and one resilience pipeline.</summary>
public sealed class RepClientFactory : IRepClientFactory
{
    /// <summary>The <see cref="IHttpClientFactory"/> name of the reps' HTTP client.</summary>
    public const string HttpClientName = "Bbs.Peers.Rep";

    private readonly IHttpClientFactory _httpClients;
    private readonly ResiliencePipeline _pipeline;
    private readonly PeerMetrics _metrics;
    private readonly ILogger<RepClient> _logger;
    private readonly bool _requireTls;
    private readonly bool _hasCredentials;

    public RepClientFactory(IHttpClientFactory httpClients, IOptions<RepClientOptions> options, PeerMetrics metrics, ILogger<RepClient> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _httpClients = httpClients;
        _metrics = metrics;
        _logger = logger;
        _requireTls = o.RequireTls;
        _hasCredentials = o.HasTlsCredentials;
        _pipeline = PeerResilience.Create("rep", o.RequestTimeout, o.MaxRetries, o.RetryBaseDelay, metrics, logger);
    }

    /// <summary>
    /// Picks the address as NEW's rep client factory does (<c>TLSConfig.pickURL</c>): with TLS required, the cell's
    /// https:// <c>rep_url</c> or nothing; otherwise its <c>rep_url</c> when set, else its plain-HTTP <c>rep_address</c>.
    /// Without TLS credentials an https:// <c>rep_url</c> is refused, since the rep would ask for a client certificate.
    /// </summary>
    public IRepClient CreateClient(CellPresence cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        string? address;
        if (_requireTls)
        {
            address = IsHttps(cell.RepUrl) ? cell.RepUrl
                : throw new ArgumentException($"cell '{cell.CellId}' presents no https:// rep_url and rep_require_tls is true", nameof(cell));
        }
        else
        {
            address = !string.IsNullOrEmpty(cell.RepUrl) ? cell.RepUrl : cell.RepAddress;
        }

        if (string.IsNullOrEmpty(address))
        {
            throw new ArgumentException($"cell '{cell.CellId}' has neither rep_url nor rep_address", nameof(cell));
        }

        return CreateClient(address);
    }

    public IRepClient CreateClient(string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"rep address '{address}' must be an http:// or https:// URL", nameof(address));
        }

        if (_requireTls && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"rep address '{address}' is not https:// and rep_require_tls is true", nameof(address));
        }

        if (!_hasCredentials && uri.Scheme == Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"rep address '{address}' is https:// but no rep_ca_cert, rep_client_cert and rep_client_key are configured", nameof(address));
        }

        return new RepClient(_httpClients.CreateClient(HttpClientName), uri, _pipeline, _metrics, _logger);
    }

    private static bool IsHttps(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps;
}
