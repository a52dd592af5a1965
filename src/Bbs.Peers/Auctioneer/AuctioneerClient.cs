using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

namespace Bbs.Peers;

/// <summary>The auctioneer's HTTP client (routes as in the auctioneer's <c>routes.go</c>: CreateLRPAuctions, CreateTaskAuctions).</summary>
public sealed class AuctioneerClient : IAuctioneerClient
{
    /// <summary>The <see cref="IHttpClientFactory"/> name of the auctioneer's HTTP client.</summary>
    public const string HttpClientName = "Bbs.Peers.Auctioneer";

    private const string LrpsPath = "/v1/lrps";
    private const string TasksPath = "/v1/tasks";

    private readonly IHttpClientFactory _httpClients;
    private readonly string? _address;
    private readonly bool _httpFallback;
    private readonly ResiliencePipeline _pipeline;
    private readonly ILogger _logger;

    public AuctioneerClient(IHttpClientFactory httpClients, IOptions<AuctioneerOptions> options, PeerMetrics metrics, ILogger<AuctioneerClient> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _httpClients = httpClients;
        _address = o.IsConfigured ? o.Address : null;

        // NEW's secure auctioneer client: with TLS credentials but TLS not required, a call that fails over TLS is
        // sent again over plain HTTP (same host and port), for auctioneers not yet serving TLS.
        _httpFallback = o.HasTlsCredentials && !o.RequireTls && _address?.StartsWith("https://", StringComparison.OrdinalIgnoreCase) == true;
        _logger = logger;
        _pipeline = PeerResilience.Create("auctioneer", o.RequestTimeout, o.MaxRetries, o.RetryBaseDelay, metrics, logger);
    }

    public Task RequestLrpAuctionsAsync(IReadOnlyList<LrpStartRequest> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        return PostAsync(LrpsPath, PeerJsonContext.Serialize(requests), cancellationToken);
    }

    public Task RequestTaskAuctionsAsync(IReadOnlyList<TaskStartRequest> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        return PostAsync(TasksPath, PeerJsonContext.Serialize(requests), cancellationToken);
    }

    private async Task PostAsync(string path, byte[] body, CancellationToken cancellationToken)
    {
        var address = _address ?? throw new InvalidOperationException("no auctioneer configured (auctioneer_address)");
        var uri = PeerHttp.Join(address, path);
        var http = _httpClients.CreateClient(HttpClientName);
        Uri? fallback = _httpFallback ? new UriBuilder(uri) { Scheme = Uri.UriSchemeHttp }.Uri : null;
        try
        {
            await _pipeline.ExecuteAsync(
                static async (state, ct) =>
                {
                    try
                    {
                        await SendAsync(state.http, state.uri, state.body, ct);
                    }
                    catch (HttpRequestException ex) when (state.fallback is not null)
                    {
                        state.logger.AuctioneerHttpFallback(state.uri.Authority, ex.Message);
                        await SendAsync(state.http, state.fallback, state.body, ct);
                    }
                },
                (http, uri, fallback, body, logger: _logger),
                cancellationToken);
        }
        catch (Exception ex) when (PeerResilience.IsPeerFailure(ex))
        {
            throw new AuctioneerClientException($"auctioneer at {address} unreachable for POST {path}: {ex.Message}", null, ex);
        }
    }

    private static Task SendAsync(HttpClient http, Uri uri, byte[] body, CancellationToken cancellationToken) =>
        PeerHttp.SendAsync(
            http,
            HttpMethod.Post,
            uri,
            body,
            static status => status == HttpStatusCode.Accepted,
            (status, text) => new AuctioneerClientException($"auctioneer answered POST {uri.AbsolutePath} with {(int)status} {status}: {text}", status),
            cancellationToken);
}
