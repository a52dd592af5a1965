using Bbs.Etcd.Api;

namespace Bbs.Etcd;

public sealed partial class EtcdClient
{
    /// <summary>Status of the member at the current endpoint (version, leader, raft indices, alarms). Retried.</summary>
    public Task<StatusResponse> StatusAsync(CancellationToken cancellationToken) =>
        CallAsync(Methods.Status, new StatusRequest(), StatusResponse.Parser, idempotent: true, cancellationToken);

    /// <summary>Status of the member at <paramref name="endpoint"/>, without failing over to another. Retried.</summary>
    public Task<StatusResponse> StatusAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return CallAsync(Methods.Status, new StatusRequest(), StatusResponse.Parser, idempotent: true, cancellationToken, new Uri(endpoint.GetLeftPart(UriPartial.Authority)));
    }
}
