using System.Diagnostics;
using Bbs.Server.Convergence;
using Bbs.Server.Leadership;
using Bbs.Store;
using Bbs.Store.Embedded;
using Bbs.Testing.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bbs.Server.Tests.Leadership;

/// <summary>
/// The leader keeps its lock through renewal failures for as long as the lease really lives (an etcd leader
/// election makes renewals fail for a second or two while the lease lives on), and gives it up before the lease
/// can expire. Lock TTL 6 s: renewals every 2 s, and every 250 ms while they fail.
/// </summary>
public sealed class LeaderElectionTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task RenewalsFailingForTwoThirdsOfTheTtlDoNotEndLeadership()
    {
        await using var store = new FlakyRenewals(new EmbeddedKeyValueStore());
        using var election = NewElection(store);
        await election.StartAsync(CancellationToken.None);
        var leading = await election.WaitForLeadershipAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        var renewed = await store.NextSuccessAsync();

        // Fail every renewal for 4.3 s after a successful one: longer than two thirds of the TTL (where the
        // lock used to be given up), shorter than the lease, which lives 6 s from that renewal.
        store.FailUntil(renewed + TimeSpan.FromSeconds(4.3));
        await Task.Delay(TimeSpan.FromSeconds(6));

        Assert.False(leading.IsCancellationRequested, "leadership ended while the lease still lived");
        Assert.True(election.IsLeader);
        Assert.True(store.Failures > 0, "no renewal failed: the test did not test anything");
        Assert.True(await store.NextSuccessAsync().WaitAsync(TimeSpan.FromSeconds(10)) > renewed + TimeSpan.FromSeconds(4.3));
        await election.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task WhenNoRenewalSucceedsLeadershipEndsBeforeTheLeaseCanExpire()
    {
        await using var store = new FlakyRenewals(new EmbeddedKeyValueStore());
        using var election = NewElection(store);
        await election.StartAsync(CancellationToken.None);
        var leading = await election.WaitForLeadershipAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        var renewed = await store.NextSuccessAsync();
        store.FailUntil(renewed + TimeSpan.FromMinutes(5));

        var ended = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = leading.Register(() => ended.TrySetResult(Stopwatch.GetTimestamp()));
        long endedAt = await ended.Task.WaitAsync(TimeSpan.FromSeconds(15));

        // The lease lives at least until the last successful renewal was sent plus the TTL.
        Assert.True(Stopwatch.GetElapsedTime(store.LastSuccessSent, endedAt) < Ttl, "leadership outlived the lease");
        Assert.False(election.IsLeader);
        await election.StopAsync(CancellationToken.None);
    }

    private static LeaderElection NewElection(IKeyValueStore store) =>
        new(store, Options.Create(new ConvergenceOptions { LockTtl = Ttl, LockRetryInterval = TimeSpan.FromSeconds(1) }), NullLogger<LeaderElection>.Instance);

    /// <summary>The embedded store, with lease renewals that fail (as etcd's do during an election) when told to.</summary>
    private sealed class FlakyRenewals(IKeyValueStore inner) : StoreDecorator(inner)
    {
        private readonly Lock gate = new();
        private TaskCompletionSource<TimeSpan> success = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long failUntil;
        private int failures;

        public int Failures => Volatile.Read(ref failures);

        /// <summary>When (a <see cref="Stopwatch"/> timestamp) the last successful renewal was sent.</summary>
        public long LastSuccessSent { get; private set; }

        /// <summary>Makes renewals fail until <paramref name="until"/>, on the clock of <see cref="NextSuccessAsync"/>.</summary>
        public void FailUntil(TimeSpan until) => Volatile.Write(ref failUntil, until.Ticks);

        /// <summary>When the next successful renewal was sent, as time since the process's start of <see cref="Stopwatch"/>.</summary>
        public Task<TimeSpan> NextSuccessAsync()
        {
            lock (gate)
            {
                return success.Task;
            }
        }

        public override async Task<long> KeepAliveOnceAsync(long leaseId, CancellationToken cancellationToken)
        {
            long sent = Stopwatch.GetTimestamp();
            var now = TimeSpan.FromTicks((long)(sent * (10_000_000.0 / Stopwatch.Frequency)));
            if (now.Ticks < Volatile.Read(ref failUntil))
            {
                Interlocked.Increment(ref failures);
                throw new StoreUnavailableException("etcdserver: request timed out, leader changed (injected)");
            }

            long ttl = await base.KeepAliveOnceAsync(leaseId, cancellationToken);
            LastSuccessSent = sent;
            TaskCompletionSource<TimeSpan> done;
            lock (gate)
            {
                done = success;
                success = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            done.TrySetResult(now);
            return ttl;
        }
    }
}
