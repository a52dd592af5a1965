using Microsoft.Extensions.Logging;

namespace Bbs.Etcd.Transport;

/// <summary>
/// The endpoints of the cluster and the one currently in use. Every call starts at the current endpoint; a
/// transport failure on it moves everybody on to the next one (round robin), so one dead member costs one failure.
/// </summary>
internal sealed class EndpointPool(IReadOnlyList<Uri> endpoints, ILogger logger)
{
    private int _current;

    public int Count => endpoints.Count;

    public Uri Current => endpoints[Volatile.Read(ref _current)];

    /// <summary>Moves on from <paramref name="failed"/>, unless another caller already did.</summary>
    public void ReportFailure(Uri failed, Exception reason)
    {
        int current = Volatile.Read(ref _current);
        if (endpoints.Count == 1 || endpoints[current] != failed)
        {
            return;
        }

        int next = (current + 1) % endpoints.Count;
        if (Interlocked.CompareExchange(ref _current, next, current) == current)
        {
            logger.EndpointFailedOver(failed, endpoints[next], reason.Message);
        }
    }
}
