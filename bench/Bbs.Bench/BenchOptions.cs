using System.Globalization;

namespace Bbs.Bench;

/// <summary>The sections a run can be limited to with <c>--only</c>.</summary>
[Flags]
public enum BenchSection
{
    None = 0,

    /// <summary>Section 1: etcd through <see cref="Etcd.EtcdClient"/>.</summary>
    Raw = 1,

    /// <summary>Section 2a: claim+start through the server.</summary>
    Claim = 2,

    /// <summary>Section 2b: listing every actual LRP through the server.</summary>
    List = 4,

    /// <summary>Section 2c: the whole task lifecycle through the server.</summary>
    Tasks = 8,

    /// <summary>Section 2d: LRP events fanned out to many SSE subscribers.</summary>
    Events = 16,

    /// <summary>Section 2e: one LRP convergence pass at 100k instances.</summary>
    Converge = 32,

    /// <summary>Every section that runs against the server.</summary>
    Server = Claim | List | Tasks | Events | Converge,

    All = Raw | Server,

    /// <summary>Section 3: the fault harness (several minutes; only when named, never part of <see cref="All"/>).</summary>
    Faults = 64,
}

/// <summary>Command-line settings; every size has a full default and a <c>--quick</c> one.</summary>
public sealed record BenchOptions
{
    public const string Usage = """
        dotnet run -c Release --project bench/Bbs.Bench [-- options]

          --quick                 a smoke run: short durations, small data sets (~45 s)
          --only <sections>       comma-separated: raw (1), claim (2a), list (2b), tasks (2c), events (2d),
                                  converge (2e), bbs (all of 2), faults (3: never in the default); default all
          --duration <seconds>    length of each throughput run (default 3, quick 1)
          --list-instances <n>    actual LRPs desired for the list benchmark (default 100000, quick 10000)
          --task-duration <s>     length of the task lifecycle run (default 5, quick 1)
          --subscribers <n>       event streams open during the fan-out run (default 1000, quick 100)
          --event-rate <n>        LRP writes per second during the fan-out run (default 1000, quick 500)
          --event-duration <s>    length of the fan-out run (default 10, quick 2)
          --converge-instances <n> actual LRPs the convergence pass covers at least (default 100000, quick 10000)
          --converge-missing <n>  actual LRPs deleted in etcd before the pass (default 500, quick 50)
          --page-size <n>         keys per etcd page for the raw RangeAllAsync reads (default 10000, as the store)
          --fault-seconds <s>     section 3 (--only faults): steady phase, hold and settling time per fault (default 10)
          --fault-servers <n>     section 3: Bbs server processes on the 3-member etcd cluster (default 3)
          --store <etcd|embedded> the server's store (default etcd; embedded only checks the harness)
          --server-dll <path>     run this Bbs.Server.dll instead of building src/Bbs.Server
          --no-build              do not build src/Bbs.Server; use its existing Release output
          --no-check-perf         skip section 1's 60 s 'etcdctl check perf' (skipped with --quick)
          --help                  this text

        etcd: a private one is started from 'etcd' on PATH, unless ETCD_ENDPOINTS names a cluster.
        """;

    public BenchSection Sections { get; init; } = BenchSection.All;

    public bool Quick { get; init; }

    public TimeSpan ThroughputDuration { get; init; } = TimeSpan.FromSeconds(3);

    public int SequentialPuts { get; init; } = 2_000;

    public int WatchPuts { get; init; } = 1_000;

    public int RangeKeys { get; init; } = 10_000;

    public int RangeRuns { get; init; } = 5;

    public int RangeKeysLarge { get; init; } = 100_000;

    /// <summary>Whether section 1 runs <c>etcdctl check perf</c> (a fixed 60 s).</summary>
    public bool CheckPerf { get; init; } = true;

    public int PageSize { get; init; } = 10_000;

    public int ClaimProcessGuids { get; init; } = 64;

    public int ClaimInstancesPerGuid { get; init; } = 50;

    public int Cells { get; init; } = 64;

    public int ListInstances { get; init; } = 100_000;

    public int ListInstancesPerLrp { get; init; } = 1_000;

    public int ListRuns { get; init; } = 5;

    public int TaskWorkers { get; init; } = 64;

    public TimeSpan TaskDuration { get; init; } = TimeSpan.FromSeconds(5);

    public int EventSubscribers { get; init; } = 1_000;

    public int EventRate { get; init; } = 1_000;

    public TimeSpan EventDuration { get; init; } = TimeSpan.FromSeconds(10);

    public int ConvergeInstances { get; init; } = 100_000;

    public int ConvergeMissing { get; init; } = 500;

    /// <summary>Section 3's steady phase, hold and settling time per fault.</summary>
    public TimeSpan FaultPhase { get; init; } = TimeSpan.FromSeconds(10);

    public int FaultServers { get; init; } = 3;

    public string Store { get; init; } = "etcd";

    public string? ServerDll { get; init; }

    public bool BuildServer { get; init; } = true;

    public bool ShowHelp { get; init; }

    public IReadOnlyList<int> Concurrency { get; } = [1, 16, 64];

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a readable message on a bad one.</summary>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        if (args.Contains("--quick"))
        {
            options = options with
            {
                Quick = true,
                ThroughputDuration = TimeSpan.FromSeconds(1),
                SequentialPuts = 300,
                WatchPuts = 200,
                RangeRuns = 3,
                RangeKeysLarge = 20_000,
                CheckPerf = false,
                ClaimInstancesPerGuid = 5,
                ListInstances = 10_000,
                ListRuns = 2,
                TaskDuration = TimeSpan.FromSeconds(1),
                EventSubscribers = 100,
                EventRate = 500,
                EventDuration = TimeSpan.FromSeconds(2),
                ConvergeInstances = 10_000,
                ConvergeMissing = 50,
            };
        }

        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            options = arg switch
            {
                "--quick" => options,
                "--help" or "-h" => options with { ShowHelp = true },
                "--only" => options with { Sections = ParseSections(Value(args, ref i)) },
                "--duration" => options with { ThroughputDuration = TimeSpan.FromSeconds(Positive(args, ref i)) },
                "--list-instances" => options with { ListInstances = Positive(args, ref i) },
                "--page-size" => options with { PageSize = Positive(args, ref i) },
                "--task-duration" => options with { TaskDuration = TimeSpan.FromSeconds(Positive(args, ref i)) },
                "--subscribers" => options with { EventSubscribers = Positive(args, ref i) },
                "--event-rate" => options with { EventRate = Positive(args, ref i) },
                "--event-duration" => options with { EventDuration = TimeSpan.FromSeconds(Positive(args, ref i)) },
                "--converge-instances" => options with { ConvergeInstances = Positive(args, ref i) },
                "--converge-missing" => options with { ConvergeMissing = Positive(args, ref i) },
                "--fault-seconds" => options with { FaultPhase = TimeSpan.FromSeconds(Positive(args, ref i)) },
                "--fault-servers" => options with { FaultServers = Positive(args, ref i) },
                "--store" => options with { Store = ParseStore(Value(args, ref i)) },
                "--server-dll" => options with { ServerDll = Path.GetFullPath(Value(args, ref i)) },
                "--no-build" => options with { BuildServer = false },
                "--no-check-perf" => options with { CheckPerf = false },
                _ => throw new ArgumentException($"unknown option '{arg}'"),
            };
        }

        return options;
    }

    public bool Runs(BenchSection section) => (Sections & section) != 0;

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value");

    private static int Positive(IReadOnlyList<string> args, ref int i)
    {
        string text = Value(args, ref i);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new ArgumentException($"{args[i - 1]} needs a positive integer, not '{text}'");
    }

    private static string ParseStore(string text) =>
        text is "etcd" or "embedded" ? text : throw new ArgumentException($"--store is etcd or embedded, not '{text}'");

    private static BenchSection ParseSections(string text)
    {
        var sections = BenchSection.None;
        foreach (string name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            sections |= name.ToLowerInvariant() switch
            {
                "raw" or "1" or "etcd" => BenchSection.Raw,
                "claim" or "2a" => BenchSection.Claim,
                "list" or "2b" => BenchSection.List,
                "tasks" or "task" or "2c" => BenchSection.Tasks,
                "events" or "event" or "2d" => BenchSection.Events,
                "converge" or "convergence" or "2e" => BenchSection.Converge,
                "bbs" or "2" or "server" => BenchSection.Server,
                "all" => BenchSection.All,
                "faults" or "fault" or "3" => BenchSection.Faults,
                _ => throw new ArgumentException($"unknown section '{name}' (raw, claim, list, tasks, events, converge, bbs, faults, all)"),
            };
        }

        return sections == BenchSection.None ? throw new ArgumentException("--only names no section") : sections;
    }
}
