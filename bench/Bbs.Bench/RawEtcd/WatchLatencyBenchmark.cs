using System.Threading.Channels;
using Bbs.Bench.Measure;
using Bbs.Etcd;
using Etcdserverpb;
using Mvccpb;

namespace Bbs.Bench.RawEtcd;

/// <summary>
/// Watch delivery latency: from just before a put is sent to the moment its event comes out of
/// <see cref="EtcdClient.WatchAsync"/>, for sequential puts on one watched key.
/// </summary>
public sealed class WatchLatencyBenchmark(EtcdClient etcd)
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(10);

    public async Task<LatencySummary> RunAsync(int puts, CancellationToken cancellationToken)
    {
        var key = BenchKeys.Key(BenchKeys.Root + "watch/key");

        // Watch from the next revision, so the first put is seen even if the watch is created after it is sent.
        var current = await etcd.RangeAsync(new RangeRequest { Key = key, CountOnly = true }, cancellationToken).ConfigureAwait(false);
        var arrivals = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watcher = WatchAsync(new WatchCreateRequest { Key = key, StartRevision = current.Header.Revision + 1 }, arrivals.Writer, stop.Token);
        try
        {
            const int warmUp = 20;
            var samples = new List<double>(puts);
            for (int i = 0; i < warmUp + puts; i++)
            {
                long sent = Clock.Now;
                await etcd.PutAsync(new PutRequest { Key = key, Value = BenchKeys.Value }, cancellationToken).ConfigureAwait(false);
                long received = await ReadWithTimeoutAsync(arrivals.Reader, cancellationToken).ConfigureAwait(false);
                if (i >= warmUp)
                {
                    samples.Add(Clock.MsBetween(sent, received));
                }
            }

            return LatencySummary.Of(samples);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await watcher.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Writes the arrival time of every event; completes the channel with the watch's failure, if any.</summary>
    private async Task WatchAsync(WatchCreateRequest request, ChannelWriter<long> arrivals, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var response in etcd.WatchAsync(request, cancellationToken).ConfigureAwait(false))
            {
                long now = Clock.Now;
                foreach (var _ in response.Events)
                {
                    arrivals.TryWrite(now);
                }
            }

            arrivals.TryComplete();
        }
        catch (Exception ex)
        {
            arrivals.TryComplete(ex);
        }
    }

    private static async Task<long> ReadWithTimeoutAsync(ChannelReader<long> reader, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(EventTimeout);
        try
        {
            return await reader.ReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no watch event within {EventTimeout.TotalSeconds:0} s of a put");
        }
    }
}
