using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Bbs.Store.Tests;

/// <summary>
/// Runs a watch in the background and lets a test wait, with a deadline, for its next batches or events.
/// An error that ends the watch (e.g. <see cref="StoreCompactedException"/>) is rethrown to the reader.
/// </summary>
public sealed class WatchProbe : IAsyncDisposable
{
    private static readonly TimeSpan DefaultPatience = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<WatchBatch> _batches = Channel.CreateUnbounded<WatchBatch>();
    private readonly Queue<WatchEvent> _unread = new();
    private readonly Task _pump;

    private WatchProbe(IKeyValueStore store, string prefix, long startRevision)
    {
        _pump = PumpAsync(store, prefix, startRevision);
    }

    public static WatchProbe Start(IKeyValueStore store, string prefix, long startRevision) => new(store, prefix, startRevision);

    /// <summary>
    /// The next batch with events, as the store sent it. Progress reports (batches without events), which a store
    /// may send at any time (etcd does, at its progress-notify interval), are skipped. Events already split off by
    /// <see cref="NextEventsAsync"/> must have been read.
    /// </summary>
    public async Task<WatchBatch> NextBatchAsync(TimeSpan? patience = null)
    {
        Assert.Empty(_unread);
        var deadline = DateTime.UtcNow + (patience ?? DefaultPatience);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var batch = await ReadAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            if (batch.Events.Count > 0)
            {
                return batch;
            }
        }
    }

    /// <summary>Exactly the next <paramref name="count"/> events, whatever batches carried them.</summary>
    public async Task<IReadOnlyList<WatchEvent>> NextEventsAsync(int count, TimeSpan? patience = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? DefaultPatience);
        var events = new List<WatchEvent>(count);
        while (events.Count < count)
        {
            if (_unread.TryDequeue(out var change))
            {
                events.Add(change);
                continue;
            }

            var left = deadline - DateTime.UtcNow;
            var batch = await ReadAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            foreach (var e in batch.Events)
            {
                _unread.Enqueue(e);
            }
        }

        return events;
    }

    /// <summary>Waits until the watch ends and returns how: null when it completed, else its exception.</summary>
    public async Task<Exception?> EndAsync(TimeSpan? patience = null)
    {
        try
        {
            while (true)
            {
                await ReadAsync(patience ?? DefaultPatience);
            }
        }
        catch (ChannelClosedException)
        {
            return null;
        }
        catch (TimeoutException)
        {
            throw;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump;
        _stop.Dispose();
    }

    private async Task<WatchBatch> ReadAsync(TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            return await _batches.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"no watch batch within {patience}");
        }
        catch (ChannelClosedException closed) when (closed.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(closed.InnerException);
            throw;
        }
    }

    private async Task PumpAsync(IKeyValueStore store, string prefix, long startRevision)
    {
        await Task.Yield();
        try
        {
            await foreach (var batch in store.WatchAsync(prefix, startRevision, _stop.Token))
            {
                await _batches.Writer.WriteAsync(batch);
            }

            _batches.Writer.TryComplete();
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            _batches.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _batches.Writer.TryComplete(e);
        }
    }
}
