using System.Text.Json;
using Bbs.Server.Convergence;
using Bbs.Etcd;
using Bbs.Store;
using Microsoft.Extensions.Options;

namespace Bbs.Server.Leadership;

/// <summary>
/// Elects one leader among every server instance on the store: the holder of <c>/v1/locks/bbs</c>, a key
/// under a lease of <c>lock_ttl</c> whose value records the holder's id and advertise URL (E16's lock record).
/// The leader renews the lease every third of its TTL, and every 250 ms while renewals fail. The lease lives at
/// least until the moment the last successful renewal was sent plus the TTL etcd granted, so leadership goes on
/// through an etcd leader election or a short outage until then (less a tenth of the TTL for safety). When a
/// renewal says the lease is gone, or that moment passes without one, leadership ends at once (the leadership
/// token is cancelled), before etcd can give the lock to anyone else.
/// Followers retry every <c>lock_retry_interval</c>, and at once when the lock key is deleted or expires. While the
/// store fails, they back off exponentially with jitter (<see cref="ReconnectBackoff"/>, capped at
/// <c>lock_retry_interval</c>, which a follower waits anyway), logging when the failure begins and when it ends.
/// </summary>
public sealed partial class LeaderElection : BackgroundService
{
    public const string LockKey = "/v1/locks/bbs";

    /// <summary>How often a leader tries again while renewals fail.</summary>
    private static readonly TimeSpan RetryWhileFailing = TimeSpan.FromMilliseconds(250);

    private readonly IKeyValueStore store;
    private readonly ConvergenceOptions options;
    // Lease renewal runs on real time whatever clock the BBS rules use: the store's leases do.
    private readonly TimeProvider time = TimeProvider.System;
    private readonly ILogger<LeaderElection> logger;
    private readonly Lock gate = new();

    // While the store fails: the pauses between attempts, and one line when it begins and one when it ends.
    private readonly Bbs.Etcd.Outage storeUnavailable;
    private long failedAttempts;
    private TaskCompletionSource<CancellationToken> leadership = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="backoff">The server's reconnect backoff (default <see cref="ReconnectBackoff.Default"/>); its cap is lowered to <c>lock_retry_interval</c>.</param>
    public LeaderElection(IKeyValueStore store, IOptions<ConvergenceOptions> options, ILogger<LeaderElection> logger, ReconnectBackoff? backoff = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.store = store;
        this.options = options.Value;
        this.logger = logger;
        backoff ??= ReconnectBackoff.Default;
        var cap = this.options.LockRetryInterval < backoff.MaxDelay ? this.options.LockRetryInterval : backoff.MaxDelay;
        storeUnavailable = new Bbs.Etcd.Outage(new ReconnectBackoff(backoff.BaseDelay, cap < backoff.BaseDelay ? backoff.BaseDelay : cap));
        Id = string.IsNullOrEmpty(this.options.Uuid) ? Guid.NewGuid().ToString() : this.options.Uuid;
    }

    /// <summary>Attempts that failed because the store did (granting the lease, taking the lock) since start: for tests and diagnostics.</summary>
    public long FailedAttempts => Interlocked.Read(ref failedAttempts);

    /// <summary>This instance's id in the lock record.</summary>
    public string Id { get; }

    public bool IsLeader { get; private set; }

    /// <summary>The current holder of the lock as last seen (id and url), or null when unknown.</summary>
    public LockRecord? Leader { get; private set; }

    /// <summary>Waits until this instance leads; the token is cancelled the moment leadership ends.</summary>
    public Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return leadership.Task.WaitAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var record = JsonSerializer.SerializeToUtf8Bytes(new LockRecord(Id, options.AdvertiseUrl ?? string.Empty), LockRecordContext.Default.LockRecord);
        var ttl = Math.Max(1, (long)options.LockTtl.TotalSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var grantSent = time.GetUtcNow();
                var lease = await store.GrantLeaseAsync(ttl, stoppingToken).ConfigureAwait(false);
                if (storeUnavailable.Recovered(out var down, out long failed))
                {
                    LogStoreRecovered(logger, down, failed);
                }

                var result = await store.TxnAsync(
                    TxnRequest.If(TxnCompare.Absent(LockKey)).Then(new PutOp(LockKey, record, lease)).Else(new GetOp(LockKey)),
                    stoppingToken).ConfigureAwait(false);
                if (result.Succeeded)
                {
                    await LeadAsync(lease, grantSent + TimeSpan.FromSeconds(ttl), stoppingToken).ConfigureAwait(false);
                    continue;
                }

                await store.RevokeLeaseAsync(lease, stoppingToken).ConfigureAwait(false);
                Leader = result.Results[0].Kvs is { Count: > 0 } holder ? Parse(holder[0].Value) : null;
                await WaitForVacancyAsync(result.Revision, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is StoreException && !stoppingToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref failedAttempts);
                var attempt = storeUnavailable.Failed();
                switch (attempt.Report)
                {
                    case OutageReport.Began:
                        LogStoreUnavailable(logger, ex.Message, storeUnavailable.Backoff.MaxDelay);
                        break;
                    case OutageReport.StillDown:
                        LogStoreStillUnavailable(logger, attempt.Down, attempt.Attempts, ex.Message);
                        break;
                }

                await Task.Delay(attempt.Pause, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <param name="expiresNoEarlierThan">When the lease would expire without another renewal, at the earliest.</param>
    private async Task LeadAsync(long lease, DateTimeOffset expiresNoEarlierThan, CancellationToken stoppingToken)
    {
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        lock (gate)
        {
            IsLeader = true;
            Leader = new LockRecord(Id, options.AdvertiseUrl ?? string.Empty);
            leadership.TrySetResult(leading.Token);
        }

        LogAcquired(logger, Id);
        var renewEvery = TimeSpan.FromTicks(options.LockTtl.Ticks / 3);
        var retryEvery = renewEvery < RetryWhileFailing ? renewEvery : RetryWhileFailing;
        var margin = TimeSpan.FromTicks(options.LockTtl.Ticks / 10);
        var heldUntil = expiresNoEarlierThan - margin;
        var wait = renewEvery;
        try
        {
            while (true)
            {
                await Task.Delay(wait, time, stoppingToken).ConfigureAwait(false);
                var sent = time.GetUtcNow();
                try
                {
                    // A renewal that hangs must not keep this instance leading past the lease.
                    var left = heldUntil - sent;
                    if (left <= TimeSpan.Zero)
                    {
                        throw new StoreUnavailableException("no time left to renew");
                    }

                    using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    attempt.CancelAfter(left < renewEvery ? left : renewEvery);
                    long renewed = await store.KeepAliveOnceAsync(lease, attempt.Token).ConfigureAwait(false);
                    if (renewed <= 0)
                    {
                        LogLost(logger, Id, "the lease expired");
                        return;
                    }

                    heldUntil = sent + TimeSpan.FromSeconds(renewed) - margin;
                    wait = renewEvery;
                }
                catch (Exception ex) when ((ex is StoreException || ex is OperationCanceledException) && !stoppingToken.IsCancellationRequested)
                {
                    var now = time.GetUtcNow();
                    if (now >= heldUntil)
                    {
                        LogLost(logger, Id, "no renewal succeeded before the lease's TTL ran out: " + ex.Message);
                        return;
                    }

                    var untilDeadline = heldUntil - now;
                    wait = untilDeadline < retryEvery ? untilDeadline : retryEvery;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: hand the lock over now instead of at the lease's end.
            try
            {
                using var release = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await store.RevokeLeaseAsync(lease, release.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is StoreException or OperationCanceledException or ObjectDisposedException)
            {
                LogReleaseFailed(logger, ex);
            }
        }
        finally
        {
            // No longer the leader by the time anything reacting to the token looks.
            lock (gate)
            {
                IsLeader = false;
                leadership = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            await leading.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Returns when the lock key is deleted (or its lease expires), or after the retry interval.</summary>
    private async Task WaitForVacancyAsync(long revision, CancellationToken stoppingToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        wait.CancelAfter(options.LockRetryInterval);
        try
        {
            await foreach (var batch in store.WatchAsync(LockKey, revision + 1, wait.Token).ConfigureAwait(false))
            {
                if (batch.Events.Any(e => e.Type == WatchEventType.Delete))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static LockRecord? Parse(ReadOnlyMemory<byte> value)
    {
        try
        {
            return JsonSerializer.Deserialize(value.Span, LockRecordContext.Default.LockRecord);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "this instance ({Id}) is now the leader")]
    private static partial void LogAcquired(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "this instance ({Id}) lost leadership: {Reason}")]
    private static partial void LogLost(ILogger logger, string id, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "leader election: store unavailable ({Reason}); retrying, backing off up to {MaxDelay}")]
    private static partial void LogStoreUnavailable(ILogger logger, string reason, TimeSpan maxDelay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "leader election: store still unavailable after {Down} ({Attempts} failed attempts; last: {Reason})")]
    private static partial void LogStoreStillUnavailable(ILogger logger, TimeSpan down, long attempts, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "leader election: store reachable again after {Down} ({Attempts} failed attempts)")]
    private static partial void LogStoreRecovered(ILogger logger, TimeSpan down, long attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not release the leader lease at shutdown")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception);
}

/// <summary>The lock record: E16's <c>{"id":…,"url":…}</c>.</summary>
public sealed record LockRecord(
    [property: System.Text.Json.Serialization.JsonPropertyName("id")] string Id,
    [property: System.Text.Json.Serialization.JsonPropertyName("url")] string Url);

[System.Text.Json.Serialization.JsonSerializable(typeof(LockRecord))]
internal sealed partial class LockRecordContext : System.Text.Json.Serialization.JsonSerializerContext;
