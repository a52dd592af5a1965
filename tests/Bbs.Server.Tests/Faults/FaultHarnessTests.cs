using System.Diagnostics;
using Bbs.Faults;
using Bbs.Server.Tests.Cluster;
using Bbs.Testing.Etcd;
using Xunit.Abstractions;

namespace Bbs.Server.Tests.Faults;

/// <summary>
/// The short fault run (the full one is <c>bench/Bbs.Bench -- --only faults</c>): 2 server processes on a real
/// 3-member etcd, lock_ttl 2 s, writers and SSE readers under load through every fault of the full run, each held
/// 3 s: an etcd follower, the etcd leader and then all members killed; the Bbs leader and a follower killed; the Bbs
/// leader frozen past its lease; answers cut after the request was applied. About a minute; the figures go to the
/// test output. It runs alone, after the tests that run in parallel: its takeover bound is a timing assertion.
/// </summary>
[Collection(FaultHarnessCollection.Name)]
public sealed class FaultHarnessTests(ITestOutputHelper output)
{
    private static readonly FaultOptions Options = FaultOptions.Short;

    [PrivateEtcdFact]
    public async Task UnderFaultsNoAcknowledgedWriteIsLostAndEveryReaderSeesEachChangeOnceInOrder()
    {
        var clock = Stopwatch.StartNew();
        var run = new FaultRun(BbsProcess.ServerAssembly, Options, line => output.WriteLine($"[{clock.Elapsed.TotalSeconds,5:0.0}s] {line}"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        FaultReport report;
        try
        {
            report = await run.RunAsync(timeout.Token);
        }
        catch
        {
            output.WriteLine(run.Diagnostics());
            throw;
        }

        output.WriteLine(report.Render());
        if (report.Problems.Count > 0)
        {
            output.WriteLine(run.Diagnostics());
        }

        Assert.Empty(report.Lost);
        Assert.Empty(report.Impossible);
        Assert.Empty(report.EventProblems);
        Assert.Empty(report.Problems);
        Assert.All(report.Rows.Where(r => r.Fault.StartsWith("Bbs leader", StringComparison.Ordinal)), r => Assert.NotEqual("-", r.Takeover));
    }
}

/// <summary>The fault run's collection: not run in parallel with any other test of the assembly.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultHarnessCollection
{
    public const string Name = "fault harness";
}
