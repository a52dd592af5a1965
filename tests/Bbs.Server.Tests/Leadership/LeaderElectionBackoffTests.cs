using System.Diagnostics;
using Bbs.Etcd;
using Bbs.Server.Convergence;
using Bbs.Server.Leadership;
using Bbs.Store;
using Bbs.Store.Embedded;
using Bbs.Testing.Logging;
using Bbs.Testing.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Bbs.Server.Tests.Leadership;

/// <summary>
/// A follower whose store fails backs off (from the reconnect backoff's base up to <c>lock_retry_interval</c>), logs
/// the failure once and the recovery once, and takes the lock once the store answers again.
/// </summary>
public sealed class LeaderElectionBackoffTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Failing = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(4);
    private static readonly ReconnectBackoff Backoff = new(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(30));

    [Fact]
    public async Task WhileTheStoreFailsAttemptsThinOutToTheRetryIntervalAndTheOutageIsOneLineEachWay()
    {
        var logger = new TestLogger(output);
        await using var store = new FailingGrants(new EmbeddedKeyValueStore());
        using var election = new LeaderElection(
            store,
            Options.Create(new ConvergenceOptions { LockTtl = TimeSpan.FromSeconds(6), LockRetryInterval = RetryInterval }),
            new TypedLogger<LeaderElection>(logger),
            Backoff);

        var failing = Stopwatch.StartNew();
        await election.StartAsync(CancellationToken.None);
        await Task.Delay(Failing / 2);
        long firstHalf = election.FailedAttempts;
        await Task.Delay(Failing / 2);
        long attempts = election.FailedAttempts;
        var outage = failing.Elapsed;
        store.Fail = false;
        await election.WaitForLeadershipAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await election.StopAsync(CancellationToken.None);

        output.WriteLine($"{attempts} failed attempts in {outage.TotalSeconds:0.0} s, {firstHalf} in the first half");
        Assert.InRange(attempts, 3, MostAttempts(outage));
        Assert.True(attempts - firstHalf < firstHalf, $"the attempts should thin out: {firstHalf} in the first half, {attempts - firstHalf} in the second");
        Assert.Single(logger.Entries, e => e.Message.StartsWith("leader election: store unavailable", StringComparison.Ordinal));
        Assert.Single(logger.Entries, e => e.Message.StartsWith("leader election: store reachable again", StringComparison.Ordinal));
        Assert.True(election.FailedAttempts == store.Failures);
    }

    /// <summary>The most failures within <paramref name="outage"/> when the n-th pause is at least half of min(retry interval, base · 2^(n−1)).</summary>
    private static int MostAttempts(TimeSpan outage)
    {
        int n = 1;
        double elapsed = 0;
        while (true)
        {
            elapsed += Math.Min(RetryInterval.TotalSeconds, Backoff.BaseDelay.TotalSeconds * Math.Pow(2, n - 1)) / 2;
            if (elapsed > outage.TotalSeconds)
            {
                return n;
            }

            n++;
        }
    }

    /// <summary>The embedded store, whose lease grants fail at once while <see cref="Fail"/> is set.</summary>
    private sealed class FailingGrants(IKeyValueStore inner) : StoreDecorator(inner)
    {
        private int failures;

        public volatile bool Fail = true;

        public int Failures => Volatile.Read(ref failures);

        public override Task<long> GrantLeaseAsync(long ttlSeconds, CancellationToken cancellationToken)
        {
            if (Fail)
            {
                Interlocked.Increment(ref failures);
                return Task.FromException<long>(new StoreUnavailableException("etcd is down (test)"));
            }

            return base.GrantLeaseAsync(ttlSeconds, cancellationToken);
        }
    }

    private sealed class TypedLogger<T>(ILogger inner) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
