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

    All = Raw | Claim | List,
}

/// <summary>Command-line settings; every size has a full default and a <c>--quick</c> one.</summary>
public sealed record BenchOptions
{
    public const string Usage = """
        dotnet run -c Release --project bench/Bbs.Bench [-- options]

          --quick                 a smoke run: short durations, small data sets (~30 s)
          --only <sections>       comma-separated: raw (1), claim (2a), list (2b), bbs (2a+2b); default all
          --duration <seconds>    length of each throughput run (default 3, quick 1)
          --list-instances <n>    actual LRPs desired for the list benchmark (default 100000, quick 10000)
          --page-size <n>         keys per etcd page for the raw RangeAllAsync reads (default 1000)
          --store <etcd|embedded> the server's store (default etcd; embedded only checks the harness)
          --server-dll <path>     run this Bbs.Server.dll instead of building src/Bbs.Server
          --no-build              do not build src/Bbs.Server; use its existing Release output
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

    public int PageSize { get; init; } = 1_000;

    public int ClaimProcessGuids { get; init; } = 64;

    public int ClaimInstancesPerGuid { get; init; } = 50;

    public int Cells { get; init; } = 64;

    public int ListInstances { get; init; } = 100_000;

    public int ListInstancesPerLrp { get; init; } = 1_000;

    public int ListRuns { get; init; } = 5;

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
                ClaimInstancesPerGuid = 5,
                ListInstances = 10_000,
                ListRuns = 2,
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
                "--store" => options with { Store = ParseStore(Value(args, ref i)) },
                "--server-dll" => options with { ServerDll = Path.GetFullPath(Value(args, ref i)) },
                "--no-build" => options with { BuildServer = false },
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
                "bbs" or "2" or "server" => BenchSection.Claim | BenchSection.List,
                "all" => BenchSection.All,
                _ => throw new ArgumentException($"unknown section '{name}' (raw, claim, list, bbs, all)"),
            };
        }

        return sections == BenchSection.None ? throw new ArgumentException("--only names no section") : sections;
    }
}
