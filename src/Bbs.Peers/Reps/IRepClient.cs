using Bbs.Models;

namespace Bbs.Peers;

/// <summary>Builds the client for one cell's rep from its presence record.</summary>
public interface IRepClientFactory
{
    /// <summary>
    /// The client for <paramref name="cell"/>: its <c>rep_url</c> when set (NEW), otherwise its <c>rep_address</c> (E16);
    /// with <c>rep_require_tls</c>, only its https:// <c>rep_url</c>. Cheap: clients share one connection pool, so
    /// build one per call rather than caching them.
    /// </summary>
    /// <exception cref="ArgumentException">The cell has no address it may be called at, or it is not an http(s) URL.</exception>
    IRepClient CreateClient(CellPresence cell);

    /// <summary>The client for the rep at <paramref name="address"/>, an http(s) base URL.</summary>
    /// <exception cref="ArgumentException"><paramref name="address"/> is not an http(s) URL, is http:// with <c>rep_require_tls</c>, or https:// without TLS credentials.</exception>
    IRepClient CreateClient(string address);
}

/// <summary>
/// The calls the BBS makes on a cell rep. Both are idempotent on the rep, so transient failures are retried; they
/// succeed on 202 Accepted (any 2xx), and otherwise throw <see cref="RepClientException"/> once the retries are spent.
/// </summary>
public interface IRepClient
{
    /// <summary>The rep's base URL.</summary>
    Uri Address { get; }

    /// <summary><c>POST /v1/lrps/{process_guid}/instances/{instance_guid}/stop</c> (rep route StopLRPInstance).</summary>
    /// <exception cref="RepClientException">The rep refused, or could not be reached in time after the retries.</exception>
    Task StopLrpInstanceAsync(ActualLRPKey key, ActualLRPInstanceKey instanceKey, CancellationToken cancellationToken);

    /// <summary><c>POST /v1/tasks/{task_guid}/cancel</c> (rep route CancelTask).</summary>
    /// <exception cref="RepClientException">The rep refused, or could not be reached in time after the retries.</exception>
    Task CancelTaskAsync(string taskGuid, CancellationToken cancellationToken);
}
