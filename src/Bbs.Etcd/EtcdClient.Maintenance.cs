using Etcdserverpb;

namespace Bbs.Etcd;

public sealed partial class EtcdClient
{
    private static readonly StatusRequest StatusRequest = new();

    /// <summary>Status of one reachable member (version, leader, raft indices, alarms). Retried.</summary>
    public Task<StatusResponse> StatusAsync(CancellationToken cancellationToken) =>
        CallAsync("status", static (etcd, r, h, d, ct) => etcd.StatusAsync(r, h, d, ct), StatusRequest, idempotent: true, cancellationToken);

    /// <summary>
    /// Status of the member at <paramref name="endpoint"/> (one of this client's or another), asked on a connection
    /// of its own with this client's TLS and credentials, so no other member answers instead. Retried.
    /// </summary>
    public async Task<StatusResponse> StatusAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await using var member = new EtcdClient(_options, [new Uri(endpoint.GetLeftPart(UriPartial.Authority))], _logger);
        return await member.StatusAsync(cancellationToken).ConfigureAwait(false);
    }
}
