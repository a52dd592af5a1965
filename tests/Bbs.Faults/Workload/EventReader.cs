using Bbs.Client;
using Bbs.Client.Events;
using Bbs.Models;

namespace Bbs.Faults.Workload;

/// <summary>
/// An SSE reader (LRP events on /v1/events.r1, or task events) that never gives up: it reads one server's stream,
/// and when that stream fails for good (the client's own reconnects with Last-Event-ID exhausted, e.g. the server
/// was killed) it subscribes to the next server with the last id it received, as a Diego component behind a load
/// balancer would. It keeps every event's id and subject, for the exactly-once and order checks.
/// </summary>
public sealed class EventReader : IDisposable
{
    private readonly IReadOnlyList<BbsClient> _clients;
    private readonly bool _tasks;
    private readonly List<Seen> _seen = [];
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _current;

    public EventReader(string name, IReadOnlyList<Uri> servers, int start, bool tasks)
    {
        ArgumentNullException.ThrowIfNull(servers);
        Name = name;
        _tasks = tasks;
        _current = start % servers.Count;
        _clients = [.. servers.Select(url => new BbsClient(new BbsClientOptions { Url = url }))];
    }

    public string Name { get; }

    public bool ReadsTasks => _tasks;

    /// <summary>Subscriptions opened after the first (each resumed with Last-Event-ID on another server).</summary>
    public int Resumes { get; private set; }

    /// <summary>Reconnects the client made by itself on one server (also with Last-Event-ID).</summary>
    public int Reconnects { get; private set; }

    /// <summary>resync_required events: the server could not replay from the id given.</summary>
    public int Resyncs { get; private set; }

    /// <summary>Completes once the first subscription is registered.</summary>
    public Task Subscribed => _subscribed.Task;

    public IReadOnlyList<Seen> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _seen];
            }
        }
    }

    /// <summary>Whether an event about <paramref name="subject"/> named <paramref name="name"/> has arrived.</summary>
    public bool HasSeen(string name, string subject)
    {
        lock (_gate)
        {
            return _seen.Any(e => e.Name == name && e.Subject == subject);
        }
    }

    public async Task RunAsync(CancellationToken stop)
    {
        string? lastId = null;
        bool first = true;
        while (!stop.IsCancellationRequested)
        {
            var client = _clients[_current];
            var options = new BbsEventStreamOptions { LastEventId = lastId, MaxAttempts = 2, RetryDelay = TimeSpan.FromMilliseconds(300), ConnectTimeout = TimeSpan.FromSeconds(3) };
            BbsEventStream? stream = null;
            try
            {
                stream = _tasks
                    ? await client.SubscribeToTaskEventsAsync(options, stop).ConfigureAwait(false)
                    : await client.SubscribeToLrpEventsAsync(options: options, cancellationToken: stop).ConfigureAwait(false);
                if (!first)
                {
                    Resumes++;
                }

                first = false;
                _subscribed.TrySetResult();
                await foreach (var e in stream.WithCancellation(stop).ConfigureAwait(false))
                {
                    Record(e);
                    lastId = stream.LastEventId;
                }
            }
            catch (BbsException)
            {
                _current = (_current + 1) % _clients.Count;
                await PauseAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            finally
            {
                if (stream is not null)
                {
                    lastId = stream.LastEventId ?? lastId;
                    Reconnects += stream.Reconnects;
                    await stream.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }

    private void Record(BbsStreamEvent e)
    {
        if (e is ResyncRequiredEvent)
        {
            Resyncs++;
        }

        string subject = e.Message switch
        {
            DesiredLRPCreatedEvent m => m.DesiredLrp.ProcessGuid,
            DesiredLRPChangedEvent m => m.After.ProcessGuid,
            DesiredLRPRemovedEvent m => m.DesiredLrp.ProcessGuid,
            ActualLRPCreatedEvent m => m.ActualLrpGroup.Instance?.ActualLrpKey.ProcessGuid ?? m.ActualLrpGroup.Evacuating?.ActualLrpKey.ProcessGuid ?? string.Empty,
            ActualLRPChangedEvent m => m.After.Instance?.ActualLrpKey.ProcessGuid ?? m.After.Evacuating?.ActualLrpKey.ProcessGuid ?? string.Empty,
            ActualLRPRemovedEvent m => m.ActualLrpGroup.Instance?.ActualLrpKey.ProcessGuid ?? m.ActualLrpGroup.Evacuating?.ActualLrpKey.ProcessGuid ?? string.Empty,
            ActualLRPCrashedEvent m => m.ActualLrpKey.ProcessGuid,
            TaskCreatedEvent m => m.Task.TaskGuid,
            TaskChangedEvent m => m.After.TaskGuid,
            TaskRemovedEvent m => m.Task.TaskGuid,
            _ => string.Empty,
        };
        lock (_gate)
        {
            _seen.Add(new Seen(EventId.Parse(e.Id), e.Name, subject));
        }
    }

    private static async Task PauseAsync(CancellationToken stop)
    {
        try
        {
            await Task.Delay(200, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public sealed record Seen(EventId Id, string Name, string Subject);
}

/// <summary>This server's SSE id, <c>&lt;revision&gt;.&lt;position&gt;</c>, ordered by revision then position.</summary>
public readonly record struct EventId(long Revision, int Position) : IComparable<EventId>
{
    public static EventId Parse(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var parts = id.Split('.');
        return parts.Length == 2 && long.TryParse(parts[0], out long revision) && int.TryParse(parts[1], out int position)
            ? new EventId(revision, position)
            : throw new FormatException($"SSE id '{id}' is not <revision>.<position>");
    }

    public int CompareTo(EventId other) => Revision != other.Revision ? Revision.CompareTo(other.Revision) : Position.CompareTo(other.Position);

    public static bool operator <(EventId left, EventId right) => left.CompareTo(right) < 0;

    public static bool operator >(EventId left, EventId right) => left.CompareTo(right) > 0;

    public static bool operator <=(EventId left, EventId right) => left.CompareTo(right) <= 0;

    public static bool operator >=(EventId left, EventId right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{Revision}.{Position}";
}
