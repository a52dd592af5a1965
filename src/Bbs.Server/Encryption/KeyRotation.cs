using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.RateLimiting;
using Bbs.Db;
using Bbs.Server.Metrics;
using Bbs.Store;
using Bbs.Store.View;
using Microsoft.Extensions.Options;

namespace Bbs.Server.Encryption;

/// <summary>
/// Key rotation on the leader: every record not sealed under <c>active_key_label</c> is re-sealed under it, one guarded
/// transaction per record (<see cref="RecordResealer"/>), at most <c>key_rotation_records_per_second</c>. The work is
/// found by scanning the store view, so a pass cut short by a restart or a change of leader resumes where the records
/// say it stopped. Records sealed with a key that is not configured are counted and reported, never skipped silently:
/// <c>bbs_records_unreadable</c>, <c>/readyz</c> and a warning name them. Every instance reports the counts of its own
/// view (<c>bbs_records_stale</c>, <c>bbs_records_unreadable</c>); the leader counts what it re-sealed
/// (<c>bbs_records_resealed_total</c>).
/// </summary>
public sealed partial class KeyRotation
{
    private readonly RecordResealer resealer;
    private readonly KeyValueView view;
    private readonly KeyRotationOptions options;
    private readonly ILogger<KeyRotation> logger;
    private readonly Counter<long> resealedCounter;
    private readonly Lock gate = new();
    private SealCounts? counted;
    private long resealed;
    private int lastReportedUnreadable;

    public KeyRotation(RecordResealer resealer, KeyValueView view, IOptions<KeyRotationOptions> options, IMeterFactory meters, ILogger<KeyRotation> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meters);
        this.resealer = resealer;
        this.view = view;
        this.options = options.Value;
        this.logger = logger;
        var meter = meters.Create(Telemetry.MeterName);
        resealedCounter = meter.CreateCounter<long>("bbs_records_resealed", description: "records this instance re-sealed under the active encryption key (key rotation)");
        resealedCounter.Add(0);
        meter.CreateObservableGauge(
            "bbs_records_stale",
            () => Count() is { } c ? [new Measurement<long>(c.Stale.Count)] : Array.Empty<Measurement<long>>(),
            description: "records not yet sealed under the active encryption key, in this instance's view");
        meter.CreateObservableGauge(
            "bbs_records_unreadable",
            () => Count() is { } c ? [new Measurement<long>(c.Unreadable)] : Array.Empty<Measurement<long>>(),
            description: "records this instance cannot read (sealed with a key that is not configured, or undecodable); reads that meet one answer an error");
    }

    /// <summary>Records re-sealed by this instance since it started.</summary>
    public long Resealed => Interlocked.Read(ref resealed);

    /// <summary>True while this instance leads and runs passes.</summary>
    public bool Running { get; private set; }

    /// <summary>The counts at the view's latest revision (once per revision); null before the view is loaded.</summary>
    public SealCounts? Count()
    {
        if (view.Current is not { } snapshot)
        {
            return null;
        }

        lock (gate)
        {
            if (counted is null || counted.Revision != snapshot.Revision)
            {
                counted = resealer.Count(snapshot);
            }

            return counted;
        }
    }

    /// <summary>The lines <c>/readyz</c> shows: the records' sealing and the rotation's progress.</summary>
    public IEnumerable<string> Describe()
    {
        if (Count() is not { } c)
        {
            yield break;
        }

        var active = resealer.ActiveKeyLabel is { } label ? $"'{label}'" : "none (not encrypted)";
        yield return string.Create(
            CultureInfo.InvariantCulture,
            $"records: {c.Records} stored, {c.Records - c.Stale.Count - c.Unreadable} current, {c.Stale.Count} to re-seal, {c.Unreadable} unreadable");
        yield return string.Create(
            CultureInfo.InvariantCulture,
            $"key rotation: active key {active}, {(Running ? "running on this instance (leader)" : "not running here")}, {Resealed} re-sealed by this instance");
        foreach (var unreadable in c.FirstUnreadable)
        {
            yield return "unreadable: " + unreadable.Error.Message;
        }
    }

    /// <summary>Passes until <paramref name="leading"/> is cancelled (leadership lost or the server stopping).</summary>
    public async Task RunAsync(CancellationToken leading)
    {
        var rate = options.RecordsPerSecond;
        var perPeriod = Math.Max(1, rate / 10);
        using var limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perPeriod,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds((double)perPeriod / rate),
            QueueLimit = 1,
            AutoReplenishment = true,
        });
        Running = true;
        try
        {
            while (true)
            {
                try
                {
                    await PassAsync(limiter, leading).ConfigureAwait(false);
                }
                catch (StoreException ex)
                {
                    LogPassFailed(logger, ex.Message);
                }

                await Task.Delay(options.Interval, leading).ConfigureAwait(false);
            }
        }
        finally
        {
            Running = false;
        }
    }

    private async Task PassAsync(RateLimiter limiter, CancellationToken leading)
    {
        // The view is fenced on the store's revision, so the pass starts from every write acknowledged before it.
        var snapshot = await view.ReadAsync(leading).ConfigureAwait(false);
        var counts = resealer.Count(snapshot);
        ReportUnreadable(counts);
        if (counts.Stale.Count == 0)
        {
            return;
        }

        LogPassStarted(logger, counts.Stale.Count, resealer.ActiveKeyLabel ?? string.Empty);
        int done = 0, skipped = 0;
        foreach (var kv in counts.Stale)
        {
            using var lease = await limiter.AcquireAsync(1, leading).ConfigureAwait(false);
            var (outcome, failure) = await resealer.ResealAsync(kv, leading).ConfigureAwait(false);
            switch (outcome)
            {
                case ResealOutcome.Resealed:
                    done++;
                    Interlocked.Increment(ref resealed);
                    resealedCounter.Add(1);
                    break;
                case ResealOutcome.Unreadable:
                    LogUnreadable(logger, kv.Key, failure!.ErrorFor(kv.Key).Message);
                    break;
                default:
                    skipped++;
                    break;
            }
        }

        LogPassDone(logger, done, skipped, resealer.ActiveKeyLabel ?? string.Empty);
    }

    private void ReportUnreadable(SealCounts counts)
    {
        if (counts.Unreadable != lastReportedUnreadable && counts.Unreadable > 0)
        {
            LogUnreadableRecords(logger, counts.Unreadable, string.Join("; ", counts.FirstUnreadable.Select(u => u.Error.Message)));
        }

        lastReportedUnreadable = counts.Unreadable;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "key rotation: re-sealing {Count} records under key '{Label}'")]
    private static partial void LogPassStarted(ILogger logger, int count, string label);

    [LoggerMessage(Level = LogLevel.Information, Message = "key rotation: {Resealed} records re-sealed under key '{Label}', {Skipped} changed meanwhile (looked at again next pass)")]
    private static partial void LogPassDone(ILogger logger, int resealed, int skipped, string label);

    [LoggerMessage(Level = LogLevel.Error, Message = "key rotation: {Key} cannot be re-sealed: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string key, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} records cannot be read and answer an error to every read that meets them; first: {First}")]
    private static partial void LogUnreadableRecords(ILogger logger, int count, string first);

    [LoggerMessage(Level = LogLevel.Warning, Message = "key rotation pass failed ({Reason}); retrying after key_rotation_interval")]
    private static partial void LogPassFailed(ILogger logger, string reason);
}
