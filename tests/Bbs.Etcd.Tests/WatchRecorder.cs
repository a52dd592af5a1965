using Etcdserverpb;
using Mvccpb;

namespace Bbs.Etcd.Tests;

/// <summary>Consumes a watch in the background and records what it yields, for assertions.</summary>
internal sealed class WatchRecorder : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<WatchResponse> _responses = [];
    private readonly Lock _gate = new();
    private readonly Task _consumer;
    private Exception? _error;

    public WatchRecorder(EtcdClient client, WatchCreateRequest request)
    {
        _consumer = Task.Run(async () =>
        {
            try
            {
                await foreach (var response in client.WatchAsync(request, _stop.Token))
                {
                    lock (_gate)
                    {
                        _responses.Add(response);
                    }
                }
            }
            catch (Exception ex)
            {
                lock (_gate)
                {
                    _error = ex;
                }
            }
        });
    }

    public IReadOnlyList<Event> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _responses.SelectMany(r => r.Events)];
            }
        }
    }

    public IReadOnlyList<WatchResponse> Responses
    {
        get
        {
            lock (_gate)
            {
                return [.. _responses];
            }
        }
    }

    /// <summary>What ended the enumeration, once it ended.</summary>
    public Exception? Error
    {
        get
        {
            lock (_gate)
            {
                return _error;
            }
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> events arrived; fails on timeout or if the watch failed.</summary>
    public async Task<IReadOnlyList<Event>> WaitForEventsAsync(int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TestSupport.Patience);
        while (true)
        {
            var events = Events;
            if (events.Count >= count)
            {
                return events;
            }

            if (Error is { } error)
            {
                Assert.Fail($"The watch ended with {error.GetType().Name}: {error.Message} after {events.Count} of {count} events.");
            }

            if (cts.IsCancellationRequested)
            {
                Assert.Fail($"Timed out with {events.Count} of {count} events: {Describe(events)}");
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <summary>Waits until the enumeration ended and returns what ended it.</summary>
    public async Task<Exception?> WaitForEndAsync(TimeSpan? timeout = null)
    {
        await _consumer.WaitAsync(timeout ?? TestSupport.Patience);
        return Error;
    }

    /// <summary>Ends the watch from the consumer side (cancels its token).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _consumer.WaitAsync(TestSupport.Patience);
    }

    public static string Describe(IEnumerable<Event> events) =>
        string.Join(", ", events.Select(e => $"{e.Type} {e.Kv.Key.ToStringUtf8()}@{e.Kv.ModRevision}"));

    public async ValueTask DisposeAsync()
    {
        if (!_consumer.IsCompleted)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }
}
