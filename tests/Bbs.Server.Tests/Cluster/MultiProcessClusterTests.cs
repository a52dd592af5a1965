using System.Diagnostics;
using System.Text.Json;
using Bbs.Client;
using Bbs.Db;
using Bbs.Models;
using Bbs.Server.Leadership;
using Bbs.Server.Tests.Support;
using Bbs.Testing.Etcd;
using Xunit.Abstractions;
using ErrorType = Bbs.Models.Error.Types.Type;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Cluster;

/// <summary>
/// High availability (decisions.md "High availability"): three real server processes on one etcd. All serve the
/// API consistently, exactly one leads (the holder of <c>/v1/locks/bbs</c>), and when the leader dies another takes
/// over within about the lease TTL and carries on converging, while the survivors' event streams keep flowing; a
/// leader stopped gracefully (SIGTERM) releases the lock as it exits. Each test starts with all three running (a test that kills one starts it again), so the tests do not depend on
/// their order. On failure the processes' recent output is written to the test output.
/// </summary>
public sealed class MultiProcessClusterTests(BbsCluster cluster, ITestOutputHelper output) : IClassFixture<BbsCluster>
{
    private static readonly TimeSpan AgreeWithin = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    private IReadOnlyList<BbsProcess> Processes => cluster.Processes;

    [PrivateEtcdFact]
    public Task ExactlyOneInstanceLeadsAndTheOthersNameIt() => WithDiagnosticsAsync(async () =>
    {
        var leader = await BbsCluster.WaitForOneLeaderAsync(Processes, AgreeWithin);

        // The lock record is E16's {"id","url"} under a lease of lock_ttl.
        var kv = (await cluster.Store.GetAsync(LeaderElection.LockKey, CancellationToken.None)).Kv;
        Assert.NotNull(kv);
        using var record = JsonDocument.Parse(kv.Value);
        Assert.Equal(leader.Id, record.RootElement.GetProperty("id").GetString());
        Assert.Equal(leader.Url.ToString().TrimEnd('/'), record.RootElement.GetProperty("url").GetString());
        Assert.NotEqual(0, kv.Lease);
        var ttl = await cluster.Store.TimeToLiveAsync(kv.Lease, CancellationToken.None);
        Assert.InRange(ttl, 1, (long)BbsCluster.LockTtl.TotalSeconds);

        foreach (var follower in Processes.Where(p => p != leader))
        {
            var ready = await follower.ReadyzAsync();
            Assert.Equal(follower.Id, ready!.Instance);
            Assert.Equal($"{leader.Id} {leader.Url.ToString().TrimEnd('/')}", ready.Leader);
        }
    });

    [PrivateEtcdFact]
    public Task WritesThroughAnyInstanceAreSeenAlikeByAll() => WithDiagnosticsAsync(async () =>
    {
        var (a, b, c) = (Processes[0].Client, Processes[1].Client, Processes[2].Client);
        var guid = TestModels.NewGuid();
        var cell = TestModels.InstanceKey(await RegisterCellAsync());

        await a.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));
        await b.ClaimActualLrpAsync(guid, 0, cell);
        await c.StartActualLrpAsync(TestModels.Key(guid, 0), cell, TestModels.NetInfo());

        var seen = await Task.WhenAll(Processes.Select(p => p.Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0)));
        Assert.Equal("RUNNING", seen[0].Instance.State);
        Assert.Equal(cell, seen[0].Instance.ActualLrpInstanceKey);
        Assert.Equal(2u, seen[0].Instance.ModificationTag.Index);
        Assert.All(seen, group => Assert.Equal(seen[0], group));
        var desired = await Task.WhenAll(Processes.Select(p => p.Client.DesiredLrpByProcessGuidAsync(guid)));
        Assert.All(desired, d => Assert.Equal(desired[0], d));

        // A last saw the record UNCLAIMED (it wrote it); a claim through A must still see B's and C's writes.
        await TestModels.ThrowsBbsAsync(() => a.ClaimActualLrpAsync(guid, 0, TestModels.InstanceKey(cell.CellId)), ErrorType.ActualLrpcannotBeClaimed);
        Assert.Equal(seen[0], await c.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0));
    });

    [PrivateEtcdFact]
    public Task AWriteAcknowledgedByOneInstanceIsInTheNextListOfAnother() => WithDiagnosticsAsync(async () =>
    {
        // Reads come from each instance's watch-fed view, fenced on etcd's revision: never older than a write
        // acknowledged anywhere before the read started, however quickly it follows.
        for (int i = 0; i < 20; i++)
        {
            var writer = Processes[i % Processes.Count].Client;
            var reader = Processes[(i + 1) % Processes.Count].Client;
            var guid = TestModels.NewGuid();
            await writer.DesireLrpAsync(TestModels.DesiredLrp(guid, 2));

            var desired = await reader.DesiredLrpsAsync();
            var actual = await reader.ActualLrpsAsync(new Bbs.Client.ActualLrpFilter(ProcessGuid: guid));

            Assert.Contains(desired, d => d.ProcessGuid == guid);
            Assert.Equal(2, actual.Count);
        }
    });

    [PrivateEtcdFact]
    public Task ConcurrentClaimsSpreadOverTheInstancesHaveExactlyOneWinner() => WithDiagnosticsAsync(async () =>
    {
        var guid = TestModels.NewGuid();
        await Processes[0].Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));
        var cellId = await RegisterCellAsync();
        var claims = Enumerable.Range(0, 32).Select(i => (Via: Processes[i % Processes.Count], Cell: TestModels.InstanceKey(cellId))).ToList();

        var results = await Task.WhenAll(claims.Select(async claim =>
        {
            try
            {
                await claim.Via.Client.ClaimActualLrpAsync(guid, 0, claim.Cell);
                return (claim.Cell, Error: (ErrorType?)null);
            }
            catch (BbsException ex)
            {
                return (claim.Cell, Error: ex.Type);
            }
        }));

        var winner = Assert.Single(results, r => r.Error is null);
        Assert.Equal(31, results.Count(r => r.Error == ErrorType.ActualLrpcannotBeClaimed));
        foreach (var process in Processes)
        {
            var lrp = await process.Client.InstanceAsync(guid, 0);
            Assert.Equal("CLAIMED", lrp.State);
            Assert.Equal(winner.Cell, lrp.ActualLrpInstanceKey);
        }
    });

    [PrivateEtcdFact]
    public Task WhenTheLeaderIsKilledAnotherTakesOverWithinTheLeaseTtlAndKeepsConverging() => WithDiagnosticsAsync(async () =>
    {
        var leader = await BbsCluster.WaitForOneLeaderAsync(Processes, AgreeWithin);
        var survivors = Processes.Where(p => p != leader).ToList();
        await using var events = await SseSubscription.OpenAsync(survivors[0].Url, "/v1/events.r1");

        var sinceKill = Stopwatch.StartNew();
        await leader.KillAsync();
        var newLeader = await BbsCluster.WaitForOneLeaderAsync(survivors, 3 * BbsCluster.LockTtl);
        var takeover = sinceKill.Elapsed;
        output.WriteLine($"{leader.Name} killed; {newLeader.Name} leads {takeover.TotalSeconds:0.00} s later (lock_ttl {BbsCluster.LockTtl.TotalSeconds} s)");
        Assert.Contains(newLeader, survivors);
        Assert.True(takeover <= 3 * BbsCluster.LockTtl, $"takeover took {takeover.TotalSeconds:0.00} s");

        // Events keep flowing on a survivor's stream opened before the leader died, for a write through the other survivor.
        var guid = TestModels.NewGuid();
        await survivors[1].Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));
        var created = await events.WaitForAsync(
            e => e.Name == "desired_lrp_created" && DesiredLRPCreatedEvent.Parser.ParseFrom(e.Data).DesiredLrp.ProcessGuid == guid, WaitLimit);
        Assert.NotNull(created);

        // The new leader's periodic convergence recreates an instance deleted behind the servers' backs.
        var deleted = await survivors[0].Client.InstanceAsync(guid, 0);
        var removed = await cluster.Store.TxnAsync(Bbs.Store.TxnRequest.If().Then(new Bbs.Store.DeleteOp(Keys.ActualInstance(guid, 0))), CancellationToken.None);
        Assert.Equal(1, removed.Results[0].Deleted);
        var recreated = await PollAsync(async () =>
            await survivors[0].Client.ActualLrpGroupsByProcessGuidAsync(guid) is [var group, ..] ? group.Instance : null, "the deleted instance to be recreated");
        Assert.Equal("UNCLAIMED", recreated.State);
        Assert.NotEqual(deleted.ModificationTag.Epoch, recreated.ModificationTag.Epoch);
        await cluster.Auctioneer.WaitUntilAsync(
            _ => cluster.Auctioneer.LrpAuctions.Count(a => a.ProcessGuid == guid) >= 2, WaitLimit, "the recreated instance's auction");

        // The killed instance comes back as a follower of the new leader.
        leader.Start();
        await leader.WaitUntilReadyAsync(BbsCluster.StartTimeout);
        Assert.Same(newLeader, await BbsCluster.WaitForOneLeaderAsync(Processes, AgreeWithin));
    });

    [PrivateEtcdFact]
    public Task AGracefullyStoppedLeaderExitsPromptlyAndHandsTheLockOverAtOnce() => WithDiagnosticsAsync(async () =>
    {
        var leader = await BbsCluster.WaitForOneLeaderAsync(Processes, AgreeWithin);
        var survivors = Processes.Where(p => p != leader).ToList();
        try
        {
            var sinceStop = Stopwatch.StartNew();
            leader.Terminate();

            // LeaderElection revokes its lease when it stops, so a follower (watching the lock key) takes over at once.
            var newLeader = await BbsCluster.WaitForOneLeaderAsync(survivors, TimeSpan.FromSeconds(15));
            var takeover = sinceStop.Elapsed;
            var exited = await leader.WaitForExitAsync(TimeSpan.FromSeconds(15)) ? sinceStop.Elapsed : (TimeSpan?)null;
            output.WriteLine($"{leader.Name} sent SIGTERM; {newLeader.Name} leads {takeover.TotalSeconds:0.00} s later; {leader.Name} exited after {exited?.TotalSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) ?? "more than 15"} s");
            Assert.True(exited < TimeSpan.FromSeconds(5), $"the stopped leader took {exited?.TotalSeconds ?? 15:0.00} s to exit (shutdown_timeout is 10 s)");
            Assert.True(takeover < BbsCluster.LockTtl, $"takeover took {takeover.TotalSeconds:0.00} s after a graceful stop: the lock was not released (lock_ttl {BbsCluster.LockTtl.TotalSeconds} s)");
        }
        finally
        {
            await leader.KillAsync();
        }
    });

    /// <summary>
    /// Registers a cell for ten minutes: the leader converges every second, and would replace a CLAIMED or RUNNING
    /// instance on an unregistered cell (as it should) in the middle of a test.
    /// </summary>
    private async Task<string> RegisterCellAsync()
    {
        var cellId = TestModels.NewGuid("cell");
        await Processes[1].Client.UpsertCellAsync(new CellPresence { CellId = cellId, RepAddress = "http://127.0.0.1:9", Zone = "z1" }, TimeSpan.FromMinutes(10));
        return cellId;
    }

    /// <summary>Restarts any process a failed test left dead, runs the test, and writes the processes' output if it fails.</summary>
    private async Task WithDiagnosticsAsync(Func<Task> test)
    {
        try
        {
            foreach (var process in Processes.Where(p => !p.IsRunning))
            {
                process.Start();
                await process.WaitUntilReadyAsync(BbsCluster.StartTimeout);
            }

            await test();
        }
        catch
        {
            output.WriteLine(cluster.Diagnostics());
            throw;
        }
    }

    private static async Task<T> PollAsync<T>(Func<Task<T?>> probe, string what)
        where T : class
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            Assert.True(deadline.Elapsed < WaitLimit, $"timed out after {WaitLimit.TotalSeconds} s waiting for {what}");
            await Task.Delay(100);
        }
    }
}
