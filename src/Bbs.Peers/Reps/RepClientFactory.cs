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

    public RepClientFactory(IHttpClientFactory httpClients, IOptions<RepClientOptions> options, PeerMetrics metrics, ILogger<RepClient> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _httpClients = httpClients;
        _metrics = metrics;
        _logger = logger;
        _pipeline = PeerResilience.Create("rep", o.RequestTimeout, o.MaxRetries, o.RetryBaseDelay, metrics, logger);
    }

    public IRepClient CreateClient(CellPresence cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        var address = !string.IsNullOrEmpty(cell.RepUrl) ? cell.RepUrl : cell.RepAddress;
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

        return new RepClient(_httpClients.CreateClient(HttpClientName), uri, _pipeline, _metrics, _logger);
    }
}
