namespace Bbs.Bench.Server;

/// <summary>
/// Samples a process's VmRSS every <see cref="Interval"/> in the background and keeps the highest reading: the
/// resident size during a phase even where VmHWM cannot be reset. Dispose (or <see cref="Stop"/>) ends it.
/// </summary>
public sealed class MemoryWatch : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _maxRssKib;

    private MemoryWatch(int pid)
    {
        _pid = pid;
        Sample();
        _sampling = SampleAsync(_stop.Token);
    }

    public static MemoryWatch Start(int pid) => new(pid);

    /// <summary>Stops sampling and returns the highest VmRSS seen, in KiB (a last sample included).</summary>
    public long Stop()
    {
        if (!_stop.IsCancellationRequested)
        {
            _stop.Cancel();
            _sampling.Wait();
            Sample();
        }

        return Interlocked.Read(ref _maxRssKib);
    }

    public void Dispose()
    {
        Stop();
        _stop.Dispose();
    }

    private async Task SampleAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Sample()
    {
        try
        {
            long rss = MemorySample.Read(_pid).RssKib;
            if (rss > Interlocked.Read(ref _maxRssKib))
            {
                Interlocked.Exchange(ref _maxRssKib, rss);
            }
        }
        catch (IOException)
        {
            // The process is gone; the maximum so far stands.
        }
    }
}
