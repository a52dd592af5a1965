using Bbs.Bench.Convergence;
using Bbs.Bench.Events;
using Bbs.Bench.Faults;
using Bbs.Bench.Lrps;
using Bbs.Bench.RawEtcd;
using Bbs.Bench.Report;
using Bbs.Bench.Server;
using Bbs.Bench.TaskCycle;
using Bbs.Client;
using Bbs.Etcd;
using Bbs.Testing.Etcd;

namespace Bbs.Bench;

/// <summary>
/// One benchmark run: a private etcd (or ETCD_ENDPOINTS), section 1 against it, then the server as a child process
/// for section 2. A section that fails is reported in the table and the run goes on; the exit code is 1 then.
/// </summary>
public sealed class BenchRun(BenchOptions options)
{
    /// <summary>
    /// The server's settings beyond store and address. Info level for section 2e's "LRP convergence done" line (the
    /// server logs nothing per request at info). The leader's own convergence passes would otherwise run every 30 s
    /// over whatever the sections left behind (writes, events, auction logs in the middle of a measurement); with a
    /// long interval only the pass at start-up runs, on an empty store, and section 2e runs its passes itself.
    /// </summary>
    private static readonly string[] ServerSettings = ["--Bbs:log_level=info", "--Bbs:converge_repeat_interval=1.00:00:00"];

    private readonly ResultTable _table = new();
    private readonly Baselines _baselines = new();
    private readonly List<string> _failures = [];
    private Etcdctl? _etcdctl;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        MachineInfo? machine = null;
        try
        {
            // Build the server first: a broken build is reported at once, and no compiler competes with a measurement.
            string? serverDll = null;
            if (options.Runs(BenchSection.Server | BenchSection.Faults))
            {
                await GuardAsync("2 bbs", async () => serverDll = await ServerBuild.LocateAsync(options, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            }

            // Section 3 brings its own 3-member etcd cluster; the single etcd below is for sections 1 and 2.
            if (options.Runs(BenchSection.Faults) && serverDll is not null)
            {
                await GuardAsync("3 faults", () => new FaultSection(serverDll, options, _table).RunAsync(cancellationToken)).ConfigureAwait(false);
            }

            if (!options.Runs(BenchSection.All))
            {
                return cancellationToken.IsCancellationRequested ? 130 : _failures.Count == 0 ? 0 : 1;
            }

            Progress.Say("starting etcd");
            await using var etcdServer = await EtcdServer.StartNewAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await using var etcd = new EtcdClient(new EtcdClientOptions { Endpoints = [.. etcdServer.ClientUrls], RequestTimeout = TimeSpan.FromSeconds(30) });
            machine = await MachineInfo.CollectAsync(etcd, cancellationToken).ConfigureAwait(false);
            Progress.Say($"etcd {machine.Etcd} at {string.Join(',', etcdServer.ClientUrls)}{(etcdServer.IsExternal ? " (ETCD_ENDPOINTS)" : string.Empty)}");

            _etcdctl = await Etcdctl.LocateAsync(etcdServer.ClientUrls, cancellationToken).ConfigureAwait(false);
            if (options.Runs(BenchSection.Raw))
            {
                await GuardAsync("1 etcd", () => new RawEtcdSection(etcd, _etcdctl, options, _table, _baselines).RunAsync(cancellationToken)).ConfigureAwait(false);
            }

            if (serverDll is not null && options.Runs(BenchSection.Server))
            {
                await GuardAsync("2 bbs", () => RunServerSectionsAsync(serverDll, etcd, etcdServer.ClientUrls, cancellationToken)).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _failures.Add("cancelled: the table holds what was measured before");
        }
        finally
        {
            Print(machine);
        }

        return cancellationToken.IsCancellationRequested ? 130 : _failures.Count == 0 ? 0 : 1;
    }

    private async Task RunServerSectionsAsync(string dll, EtcdClient etcd, IReadOnlyList<Uri> etcdUrls, CancellationToken cancellationToken)
    {
        await using var server = await ServerProcess.StartAsync(dll, options.Store, etcdUrls, ServerSettings, cancellationToken).ConfigureAwait(false);
        Progress.Say($"server ready at {server.Url} (pid {server.Pid}, store {options.Store})");

        // One attempt per call: a benchmark must see failures, not retry them away. Lists of 100k records may be slow.
        using var client = new BbsClient(new BbsClientOptions { Url = server.Url, Retries = 1, RequestTimeout = TimeSpan.FromMinutes(5) });
        if (options.Runs(BenchSection.Claim))
        {
            await GuardAsync("2a claim+start", () => new ClaimStartSection(client, etcd, server.Pid, options, _table, _baselines).RunAsync(cancellationToken), server).ConfigureAwait(false);
        }

        if (options.Runs(BenchSection.List))
        {
            await GuardAsync("2b list", () => new ListSection(client, etcd, _etcdctl, server, options, _table).RunAsync(cancellationToken), server).ConfigureAwait(false);
        }

        if (options.Runs(BenchSection.Tasks))
        {
            await GuardAsync("2c tasks", () => new TaskCycleSection(client, etcd, server.Pid, options, _table, _baselines).RunAsync(cancellationToken), server).ConfigureAwait(false);
        }

        if (options.Runs(BenchSection.Events))
        {
            await GuardAsync("2d events", () => new EventFanOutSection(client, etcd, server, options, _table, _baselines).RunAsync(cancellationToken), server).ConfigureAwait(false);
        }

        // Last: it rewrites what the other sections left in etcd (2b's 100k instances become RUNNING).
        if (options.Runs(BenchSection.Converge))
        {
            await GuardAsync("2e converge", () => new ConvergenceSection(client, etcd, server, options, _table).RunAsync(cancellationToken), server).ConfigureAwait(false);
        }
    }

    /// <summary>Runs a section; a failure becomes a FAILED row (and a full message below the table), not the end of the run.</summary>
    private async Task GuardAsync(string section, Func<Task> run, ServerProcess? server = null)
    {
        Progress.Say($"section {section}");
        try
        {
            await run().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            string message = $"{ex.GetType().Name}: {ex.Message}";
            if (server is not null)
            {
                message += $"\nThe server's last output:\n{server.RecentOutput}";
            }

            _table.Add(section, "FAILED", ex.GetType().Name, ex.Message.Split('\n')[0]);
            _failures.Add($"[{section}] {message}");
        }
    }

    private void Print(MachineInfo? machine)
    {
        Console.WriteLine();
        if (machine is not null)
        {
            Console.WriteLine(machine);
        }

        // The options line describes sections 1 and 2; section 3 prints its own settings above its table.
        if (options.Runs(BenchSection.All))
        {
            Console.WriteLine(
                $"options: {(options.Quick ? "--quick, " : string.Empty)}throughput runs {options.ThroughputDuration.TotalSeconds:0} s, list {options.ListInstances:N0} instances, " +
                $"tasks {options.TaskDuration.TotalSeconds:0} s, events {options.EventSubscribers:N0} subscribers at {options.EventRate:N0} writes/s for {options.EventDuration.TotalSeconds:0} s, " +
                $"convergence >= {options.ConvergeInstances:N0} instances with {options.ConvergeMissing:N0} missing, server store {options.Store}");
            Console.WriteLine();
        }

        Console.Write(_table.Render());
        foreach (string failure in _failures)
        {
            Console.WriteLine();
            Console.WriteLine("FAILURE " + failure);
        }
    }
}
