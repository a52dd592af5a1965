using Bbs.Client;

namespace Bbs.Faults.Workload;

/// <summary>
/// A writer: a sequential loop of rounds on entities of its own, through a client per server (each behind its
/// <see cref="Cluster.DropProxy"/>) with Diego's retry loop (3 attempts, 500 ms apart). It starts on server
/// <c>id mod n</c> and moves to the next one after a call that got no answer, as a client behind a load balancer
/// would. Any failed write makes the entities it touches uncertain and ends the round; the next round starts afresh.
/// </summary>
public abstract class Writer : IDisposable
{
    private readonly IReadOnlyList<BbsClient> _clients;
    private int _current;

    protected Writer(int id, IReadOnlyList<Uri> servers, RequestLog log, Journal journal, FaultOptions options)
    {
        ArgumentNullException.ThrowIfNull(servers);
        Id = id;
        Log = log;
        Journal = journal;
        Options = options;
        _clients = [.. servers.Select(url => new BbsClient(new BbsClientOptions
        {
            Url = url,
            Retries = BbsClientOptions.DefaultRetries,
            RetryDelay = TimeSpan.FromMilliseconds(500),
            RequestTimeout = TimeSpan.FromSeconds(2),
        }))];
        _current = id % _clients.Count;
    }

    protected int Id { get; }

    protected RequestLog Log { get; }

    protected Journal Journal { get; }

    protected FaultOptions Options { get; }

    /// <summary>Runs rounds until <paramref name="stop"/> fires; a round in progress then ends after its current request.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        for (int round = 0; !stop.IsCancellationRequested; round++)
        {
            await RoundAsync(round, stop).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>One round; returns early (the entities left as they are) after a failure or when <paramref name="stop"/> fires.</summary>
    protected abstract Task RoundAsync(int round, CancellationToken stop);

    /// <summary>
    /// Sends one write and journals it: on an answer without error every effect's check becomes what the final state
    /// must satisfy; on anything else every touched entity becomes uncertain. Returns whether it was acknowledged.
    /// The request itself is never cancelled (its attempt timeout bounds it), so a stop never leaves it unjournaled.
    /// </summary>
    protected async Task<bool> WriteAsync(string op, IReadOnlyList<Effect> effects, Func<BbsClient, Task> call, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(effects);
        ArgumentNullException.ThrowIfNull(call);
        if (stop.IsCancellationRequested)
        {
            return false;
        }

        int window = Log.Window;
        var started = Log.Now;
        string outcome;
        try
        {
            await call(_clients[_current]).ConfigureAwait(false);
            outcome = RequestLog.Ok;
        }
        catch (BbsException ex)
        {
            outcome = Kind(ex);
            if (outcome is "transport" or "timeout")
            {
                _current = (_current + 1) % _clients.Count;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The client promises BbsException for every failure; anything else is a finding of its own.
            outcome = "unexpected " + ex.GetType().Name;
            Log.Unexpected(op, ex);
            _current = (_current + 1) % _clients.Count;
        }

        Log.Add(op, window, started, outcome);
        foreach (var effect in effects)
        {
            if (outcome == RequestLog.Ok)
            {
                Journal.Acked(effect.Entity, op, window, effect.Check);
            }
            else
            {
                Journal.Uncertain(effect.Entity, op, window);
            }
        }

        try
        {
            await Task.Delay(Options.Pace, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        return outcome == RequestLog.Ok;
    }

    /// <summary>A failure's kind for the report: no answer (transport), attempt timeouts, or the BBS error type answered.</summary>
    public static string Kind(BbsException ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        return ex.InnerException is HttpRequestException or IOException ? "transport"
            : ex.Type == Models.Error.Types.Type.Timeout ? "timeout"
            : ex.Type.ToString();
    }

    /// <summary>What a write implies for one entity: a check of the final state (null result = reflected).</summary>
    public sealed record Effect(string Entity, Func<FinalState, string?> Check);
}
