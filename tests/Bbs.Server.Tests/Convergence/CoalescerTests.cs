using Bbs.Store;
using System.Diagnostics.Metrics;
using Bbs.Server.Convergence;
using Bbs.Server.Tests.Support;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Convergence;

/// <summary>Convergence passes are coalesced: concurrent and repeated calls never run more than one pass at a time.</summary>
public sealed class CoalescerTests
{
    [Fact]
    public async Task CallsDuringAPassShareOneQueuedPassThatStartsAfterIt()
    {
        var coalescer = new Coalescer<int>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int passes = 0, concurrent = 0, maxConcurrent = 0;
        var starts = new List<int>();
        async Task<int> Pass()
        {
            int n = Interlocked.Increment(ref passes);
            maxConcurrent = Math.Max(maxConcurrent, Interlocked.Increment(ref concurrent));
            lock (starts)
            {
                starts.Add(n);
            }

            if (n == 1)
            {
                await release.Task;
            }

            Interlocked.Decrement(ref concurrent);
            return n;
        }

        var first = coalescer.RunAsync(Pass, CancellationToken.None);
        while (Volatile.Read(ref passes) == 0)
        {
            await Task.Delay(10);
        }

        var joiners = Enumerable.Range(0, 50).Select(_ => coalescer.RunAsync(Pass, CancellationToken.None)).ToList();
        release.SetResult();
        var results = await Task.WhenAll(joiners);

        Assert.Equal(1, await first);
        Assert.All(results, r => Assert.Equal(2, r));
        Assert.Equal(2, passes);
        Assert.Equal(1, maxConcurrent);
        Assert.Equal(3, await coalescer.RunAsync(Pass, CancellationToken.None));
    }

    [Fact]
    public async Task AFailedPassFailsItsCallersOnlyAndTheNextCallRunsAgain()
    {
        var coalescer = new Coalescer<int>();

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => coalescer.RunAsync(() => throw new InvalidOperationException("boom"), CancellationToken.None));
        int next = await coalescer.RunAsync(() => Task.FromResult(7), CancellationToken.None);

        Assert.Equal("boom", failed.Message);
        Assert.Equal(7, next);
    }

    [Fact]
    public async Task AWaitingCallerCanGiveUpWithoutStoppingThePass()
    {
        var coalescer = new Coalescer<int>();
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var giveUp = new CancellationTokenSource();

        var impatient = coalescer.RunAsync(() => release.Task, giveUp.Token);
        var patient = coalescer.RunAsync(() => Task.FromResult(2), CancellationToken.None);
        await giveUp.CancelAsync();
        release.SetResult(1);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient);
        Assert.Equal(2, await patient);
    }
}

/// <summary>Over real HTTP: a burst of concurrent converge calls shares passes instead of running one each.</summary>
public sealed class ConvergeBurstTests(EmbeddedBbsServer server) : IClassFixture<EmbeddedBbsServer>
{
    [Fact]
    public async Task AHundredConcurrentLrpConvergeCallsShareFarFewerPasses()
    {
        // Enough instances that a pass takes a few milliseconds, so calls arrive while one runs.
        for (int i = 0; i < 10; i++)
        {
            await server.Client.DesireLrpAsync(TestModels.DesiredLrp(TestModels.NewGuid(), 50));
        }

        using var meters = new ConvergenceMeterRecorder(server.GetService<IMeterFactory>());
        var calls = Enumerable.Range(0, 100).Select(_ => server.Client.ConvergeLrpsAsync()).ToList();
        await Task.WhenAll(calls);

        // Without coalescing every call runs a pass of its own (100); with it, calls that arrive during a pass
        // share the one queued after it.
        int runs = meters.Recorded.Count(m => m.Instrument == "bbs_convergence_lrp_runs");
        Assert.InRange(runs, 1, 50);
    }
}
