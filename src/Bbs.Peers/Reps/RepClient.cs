using Bbs.Models;
using Microsoft.Extensions.Logging;
using Polly;

namespace Bbs.Peers;

/// <summary>One cell rep's HTTP client (routes as in the rep's client: StopLRPInstance, CancelTask). Built by <see cref="RepClientFactory"/>.</summary>
public sealed class RepClient : IRepClient
{
    private const string StopOperation = "stop_lrp_instance";
    private const string CancelOperation = "cancel_task";

    private readonly HttpClient _http;
    private readonly ResiliencePipeline _pipeline;
    private readonly PeerMetrics _metrics;
    private readonly ILogger _logger;

    internal RepClient(HttpClient http, Uri address, ResiliencePipeline pipeline, PeerMetrics metrics, ILogger logger)
    {
        _http = http;
        Address = address;
        _pipeline = pipeline;
        _metrics = metrics;
        _logger = logger;
    }

    public Uri Address { get; }

    public Task StopLrpInstanceAsync(ActualLRPKey key, ActualLRPInstanceKey instanceKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(instanceKey);
        var path = $"/v1/lrps/{Uri.EscapeDataString(key.ProcessGuid)}/instances/{Uri.EscapeDataString(instanceKey.InstanceGuid)}/stop";

        // The rep's own client sends Content-Type: application/json with no body on this route.
        return CallAsync(StopOperation, $"{key.ProcessGuid}/{key.Index} instance {instanceKey.InstanceGuid}", path, [], cancellationToken);
    }

    public Task CancelTaskAsync(string taskGuid, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskGuid);
        return CallAsync(CancelOperation, taskGuid, $"/v1/tasks/{Uri.EscapeDataString(taskGuid)}/cancel", null, cancellationToken);
    }

    private async Task CallAsync(string operation, string target, string path, byte[]? body, CancellationToken cancellationToken)
    {
        var uri = PeerHttp.Join(Address.OriginalString, path);
        try
        {
            await _pipeline.ExecuteAsync(
                static (state, ct) => new ValueTask(PeerHttp.SendAsync(
                    state.http,
                    HttpMethod.Post,
                    state.uri,
                    state.body,
                    static status => (int)status is >= 200 and < 300,
                    (status, text) => new RepClientException($"rep answered POST {state.uri.AbsolutePath} with {(int)status} {status}: {text}", status),
                    ct)),
                (http: _http, uri, body),
                cancellationToken);
        }
        catch (Exception ex) when (ex is RepClientException || PeerResilience.IsPeerFailure(ex))
        {
            _metrics.RepCall(operation, ok: false);
            var failure = ex as RepClientException
                ?? new RepClientException($"rep at {Address} unreachable for POST {path}: {ex.Message}", null, ex);
            _logger.RepCallFailed(failure, SafeUrl.ForLog(Address.OriginalString), operation, target, failure.Message);
            throw failure;
        }

        _metrics.RepCall(operation, ok: true);
        _logger.RepCallSucceeded(SafeUrl.ForLog(Address.OriginalString), operation, target);
    }
}
