using System.Diagnostics;
using Bbs.Client;
using Bbs.Faults.Cluster;
using Bbs.Faults.Workload;
using Bbs.Models;

namespace Bbs.Faults;

/// <summary>
/// One fault run: starts the cluster, the SSE readers and the writers; keeps a steady load for one phase; then
/// applies each fault in turn (inject, hold, recover, wait until every part is back, settle for one phase), each in
/// a window of its own; stops the writers, waits until every reader has caught up, reads the final state and checks
/// it against the journal. <paramref name="progress"/> hears each step.
/// </summary>
public sealed class FaultRun(string serverDll, FaultOptions options, Action<string> progress)
{
    private static readonly TimeSpan RecoverTimeout = TimeSpan.FromSeconds(60);

    private FaultCluster? _cluster;

    /// <summary>The processes' recent output, once the cluster has started (for a failure message).</summary>
    public string Diagnostics() => _cluster?.Diagnostics() ?? "(the cluster did not start)";

    public async Task<FaultReport> RunAsync(CancellationToken cancellationToken)
    {
        var wall = Stopwatch.StartNew();
        progress("starting 3 etcd members and " + options.Servers + " Bbs servers");
        await using var cluster = await FaultCluster.StartAsync(serverDll, options, cancellationToken).ConfigureAwait(false);
        _cluster = cluster;
        string runId = "f" + Guid.NewGuid().ToString("N")[..6];
        var log = new RequestLog();
        var journal = new Journal();
        var direct = cluster.Servers.Select(s => s.Url).ToList();
        var relayed = cluster.Proxies.Select(p => p.Url).ToList();

        var readers = Enumerable.Range(0, options.LrpReaders).Select(i => new EventReader($"lrp-reader-{i}", direct, i, tasks: false))
            .Concat(Enumerable.Range(0, options.TaskReaders).Select(i => new EventReader($"task-reader-{i}", direct, i + 1, tasks: true)))
            .ToList();
        var writers = Enumerable.Range(0, options.LrpWriters).Select(i => (Writer)new LrpWriter(i, relayed, log, journal, options, runId))
            .Concat(Enumerable.Range(0, options.TaskWriters).Select(i => new TaskWriter(i, relayed, log, journal, options, runId)))
            .Append(new CellHeartbeat(0, relayed, log, journal, options))
            .ToList();
        using var stopReaders = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopWriters = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var faults = new List<FaultOutcome>();
        try
        {
            var reading = readers.Select(r => Task.Run(() => r.RunAsync(stopReaders.Token), CancellationToken.None)).ToList();
            await Task.WhenAll(readers.Select(r => r.Subscribed)).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            var writing = writers.Select(w => Task.Run(() => w.RunAsync(stopWriters.Token), CancellationToken.None)).ToList();

            progress($"steady load for {options.Phase.TotalSeconds:0} s");
            var steadyStart = log.Now;
            await Task.Delay(options.Phase, cancellationToken).ConfigureAwait(false);
            var steadyEnd = log.Now;
            for (int i = 0; i < options.Faults.Count; i++)
            {
                log.EnterWindow(i + 1);
                var injected = log.Now;
                var (action, takeover, takeoverWhat, problems) = await ApplyAsync(options.Faults[i], cluster, cancellationToken).ConfigureAwait(false);
                progress($"fault {i + 1}/{options.Faults.Count} {options.Faults[i]}: {action}; recovering");
                problems.AddRange(await RecoverAsync(cluster, cancellationToken).ConfigureAwait(false));
                await Task.Delay(options.Phase, cancellationToken).ConfigureAwait(false);
                faults.Add(new FaultOutcome(Name(options.Faults[i]), action, injected, log.Now, takeover, takeoverWhat, problems));
            }

            log.EnterWindow(faults.Count + 1);
            progress("stopping the writers");
            await stopWriters.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(writing).ConfigureAwait(false);

            progress("waiting for the readers to catch up");
            var readerProblems = await WaitForReadersAsync(cluster, readers, runId, cancellationToken).ConfigureAwait(false);
            await stopReaders.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(reading).ConfigureAwait(false);

            progress("reading the final state");
            using var client = new BbsClient(new BbsClientOptions { Url = direct[0], RequestTimeout = TimeSpan.FromSeconds(30) });
            var state = await FinalState.ReadAsync(client, cancellationToken).ConfigureAwait(false);
            var lost = journal.Entries
                .Where(e => e.Check is not null)
                .Select(e => (Entry: e, Problem: e.Check!(state)))
                .Where(x => x.Problem is not null)
                .Select(x => (x.Entry, x.Problem!))
                .ToList();
            var impossible = Checks.Impossible(state, journal).ToList();
            var eventProblems = readerProblems.Concat(EventChecks.Problems(readers, journal)).ToList();
            return new FaultReport(options, faults, log, lost, impossible, eventProblems, readers, (steadyStart, steadyEnd), wall.Elapsed);
        }
        finally
        {
            await stopWriters.CancelAsync().ConfigureAwait(false);
            await stopReaders.CancelAsync().ConfigureAwait(false);
            foreach (var writer in writers)
            {
                writer.Dispose();
            }

            foreach (var reader in readers)
            {
                reader.Dispose();
            }
        }
    }

    public static string Name(FaultKind kind) => kind switch
    {
        FaultKind.EtcdFollowerKill => "etcd follower kill -9",
        FaultKind.EtcdLeaderKill => "etcd leader kill -9",
        FaultKind.EtcdRestartAll => "etcd restart all",
        FaultKind.BbsLeaderKill => "Bbs leader kill -9",
        FaultKind.BbsFollowerKill => "Bbs follower kill -9",
        FaultKind.BbsLeaderStop => "Bbs leader SIGSTOP",
        FaultKind.ConnectionDrop => "connection drop",
        _ => kind.ToString(),
    };

    private async Task<(string Action, TimeSpan? Takeover, string TakeoverWhat, List<string> Problems)> ApplyAsync(FaultKind kind, FaultCluster cluster, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var members = cluster.Etcd.Members;
        switch (kind)
        {
            case FaultKind.EtcdFollowerKill:
            {
                int leader = await cluster.EtcdLeaderAsync(cancellationToken).ConfigureAwait(false);
                var victim = members[(leader + 1) % members.Count];
                await victim.StopAsync().ConfigureAwait(false);
                await Task.Delay(options.Hold, cancellationToken).ConfigureAwait(false);
                await victim.StartAsync(cancellationToken).ConfigureAwait(false);
                return ($"killed {victim.Name} for {options.Hold.TotalSeconds:0} s", null, string.Empty, problems);
            }

            case FaultKind.EtcdLeaderKill:
            {
                int leader = await cluster.EtcdLeaderAsync(cancellationToken).ConfigureAwait(false);
                var victim = members[leader];
                var clock = Stopwatch.StartNew();
                await victim.StopAsync().ConfigureAwait(false);
                TimeSpan? elected = null;
                while (clock.Elapsed < options.Hold)
                {
                    try
                    {
                        await cluster.EtcdLeaderAsync(cancellationToken).ConfigureAwait(false);
                        elected ??= clock.Elapsed;
                        break;
                    }
                    catch (Exception ex) when (ex is InvalidOperationException or Bbs.Etcd.EtcdException)
                    {
                        await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                    }
                }

                if (elected is null)
                {
                    problems.Add($"no new raft leader within {options.Hold.TotalSeconds:0} s");
                }

                await Task.Delay(options.Hold - clock.Elapsed is { Ticks: > 0 } rest ? rest : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
                await victim.StartAsync(cancellationToken).ConfigureAwait(false);
                return ($"killed leader {victim.Name} for {options.Hold.TotalSeconds:0} s", elected, "raft election", problems);
            }

            case FaultKind.EtcdRestartAll:
            {
                foreach (var member in members)
                {
                    await member.StopAsync().ConfigureAwait(false);
                }

                await Task.Delay(options.Hold / 2, cancellationToken).ConfigureAwait(false);

                // Together: one member alone has no quorum, so none would become healthy.
                await Task.WhenAll(members.Select(m => m.StartAsync(cancellationToken))).ConfigureAwait(false);
                return ($"killed all 3 members, started them {(options.Hold / 2).TotalSeconds:0.#} s later", null, string.Empty, problems);
            }

            case FaultKind.BbsLeaderKill:
            case FaultKind.BbsLeaderStop:
            {
                var leader = await cluster.WaitForLeaderAsync(RecoverTimeout, cancellationToken).ConfigureAwait(false);
                var clock = Stopwatch.StartNew();
                bool stop = kind == FaultKind.BbsLeaderStop;
                if (stop)
                {
                    leader.Freeze();
                }
                else
                {
                    await leader.KillAsync().ConfigureAwait(false);
                }

                TimeSpan? takeover = null;
                try
                {
                    var next = await cluster.WaitForLeaderAsync(options.TakeoverBound * 3, cancellationToken, except: leader).ConfigureAwait(false);
                    takeover = clock.Elapsed;
                    if (takeover > options.TakeoverBound)
                    {
                        problems.Add($"{next.Name} took the lock {takeover.Value.TotalSeconds:0.00} s after {leader.Name} {(stop ? "stopped" : "died")}, over lock_ttl + lock_retry_interval = {options.TakeoverBound.TotalSeconds:0.#} s");
                    }
                }
                catch (TimeoutException ex)
                {
                    problems.Add(ex.Message);
                }

                // A stopped leader stays stopped for longer than lock_ttl, however quickly the lock moved.
                var hold = stop ? Max(options.Hold, options.LockTtl + TimeSpan.FromSeconds(2)) : options.Hold;
                await Task.Delay(hold - clock.Elapsed is { Ticks: > 0 } rest ? rest : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
                if (stop)
                {
                    leader.Thaw();
                    if (await TwoLeadersAsync(cluster, TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false) is { } split)
                    {
                        problems.Add(split);
                    }
                }
                else
                {
                    leader.Start();
                }

                return ($"{(stop ? "SIGSTOP" : "killed")} leader {leader.Name} for {hold.TotalSeconds:0.#} s", takeover, "lock", problems);
            }

            case FaultKind.BbsFollowerKill:
            {
                var leader = await cluster.WaitForLeaderAsync(RecoverTimeout, cancellationToken).ConfigureAwait(false);
                var victim = cluster.Servers.First(s => s != leader);
                await victim.KillAsync().ConfigureAwait(false);
                await Task.Delay(options.Hold, cancellationToken).ConfigureAwait(false);
                victim.Start();
                var still = await cluster.LeaderAsync(cancellationToken).ConfigureAwait(false);
                if (still != leader)
                {
                    problems.Add($"the lock moved from {leader.Name} to {still?.Name ?? "nobody"} when a follower died");
                }

                return ($"killed follower {victim.Name} for {options.Hold.TotalSeconds:0} s", null, string.Empty, problems);
            }

            case FaultKind.ConnectionDrop:
            {
                long before = cluster.Proxies.Sum(p => p.Dropped);
                foreach (var proxy in cluster.Proxies)
                {
                    proxy.Arm(options.DropProbability);
                }

                await Task.Delay(options.Hold, cancellationToken).ConfigureAwait(false);
                foreach (var proxy in cluster.Proxies)
                {
                    proxy.Disarm();
                }

                long dropped = cluster.Proxies.Sum(p => p.Dropped) - before;
                return ($"dropped {dropped} answers ({options.DropProbability:P0}) over {options.Hold.TotalSeconds:0} s", null, string.Empty, problems);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>Waits until every etcd member and server is up and ready and exactly one server holds the lock.</summary>
    private static async Task<List<string>> RecoverAsync(FaultCluster cluster, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        try
        {
            await Task.WhenAll(cluster.Servers.Select(s => s.WaitUntilReadyAsync(RecoverTimeout, cancellationToken))).ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            while (true)
            {
                var leads = await Task.WhenAll(cluster.Servers.Select(s => s.LeadsAsync(cancellationToken))).ConfigureAwait(false);
                int leaders = leads.Count(l => l);
                if (leaders == 1)
                {
                    break;
                }

                if (clock.Elapsed > RecoverTimeout)
                {
                    problems.Add($"{leaders} servers say they hold the lock {RecoverTimeout.TotalSeconds:0} s after recovery");
                    break;
                }

                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            problems.Add("did not recover: " + ex.Message.Split('\n')[0]);
        }

        return problems;
    }

    /// <summary>Writes a last LRP and task, and waits until every reader has their creation events (so it saw everything before).</summary>
    private static async Task<List<string>> WaitForReadersAsync(FaultCluster cluster, IReadOnlyList<EventReader> readers, string runId, CancellationToken cancellationToken)
    {
        string guid = runId + "-sentinel";
        using var client = new BbsClient(new BbsClientOptions { Url = cluster.Servers[0].Url, RequestTimeout = TimeSpan.FromSeconds(10) });
        await client.DesireLrpAsync(LrpWriter.DesiredLrp(guid), cancellationToken: cancellationToken).ConfigureAwait(false);
        await client.DesireTaskAsync(guid, LrpWriter.Domain, TaskWriter.Definition(), cancellationToken: cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (readers.All(r => r.HasSeen(r.ReadsTasks ? "task_created" : "desired_lrp_created", guid)))
            {
                return [];
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        return [.. readers.Where(r => !r.HasSeen(r.ReadsTasks ? "task_created" : "desired_lrp_created", guid)).Select(r => $"{r.Name} never saw the final write's event")];
    }

    /// <summary>
    /// Polls every server's /readyz for <paramref name="duration"/> after a stopped leader resumed: its lease ran out
    /// while it was stopped, so from its first answer on it must not say it leads beside the new leader.
    /// </summary>
    private static async Task<string?> TwoLeadersAsync(FaultCluster cluster, TimeSpan duration, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            var leads = await Task.WhenAll(cluster.Servers.Select(s => s.LeadsAsync(cancellationToken))).ConfigureAwait(false);
            if (leads.Count(l => l) > 1)
            {
                return $"{string.Join(" and ", cluster.Servers.Where((_, i) => leads[i]).Select(s => s.Name))} both said they lead {clock.Elapsed.TotalMilliseconds:0} ms after SIGCONT";
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
