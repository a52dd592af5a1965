using System.Collections.Concurrent;
using System.Diagnostics;

namespace Bbs.Faults.Workload;

/// <summary>One request a writer sent: the fault window it started in, when it ended, and how (<c>ok</c> or a failure kind).</summary>
public readonly record struct RequestRecord(int Window, string Op, TimeSpan Started, TimeSpan Ended, string Outcome)
{
    public bool Acknowledged => Outcome == RequestLog.Ok;
}

/// <summary>
/// Every request the writers send, tagged with the fault window (0 = steady load before the first fault, k = the k-th
/// fault from its injection to the end of its settling) current when it was sent. Thread-safe.
/// </summary>
public sealed class RequestLog
{
    public const string Ok = "ok";

    private readonly ConcurrentQueue<RequestRecord> _records = new();
    private readonly ConcurrentQueue<string> _unexpected = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _window;

    /// <summary>Time since the run started; the clock of every record and window.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public int Window => Volatile.Read(ref _window);

    public void EnterWindow(int window) => Volatile.Write(ref _window, window);

    public void Add(string op, int window, TimeSpan started, string outcome) => _records.Enqueue(new RequestRecord(window, op, started, Now, outcome));

    public IReadOnlyList<RequestRecord> Records => [.. _records];

    /// <summary>The first few failures the client surfaced as something other than a BbsException, with their stacks.</summary>
    public IReadOnlyList<string> UnexpectedFailures => [.. _unexpected];

    public void Unexpected(string op, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (_unexpected.Count < 3)
        {
            _unexpected.Enqueue($"{op}: {exception}");
        }
    }
}
