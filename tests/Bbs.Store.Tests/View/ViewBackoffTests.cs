using System.Diagnostics;
using System.Text;
using Bbs.Etcd;
using Bbs.Store.Embedded;
using Bbs.Store.Etcd;
using Bbs.Store.View;
using Bbs.Testing.Etcd;
using Bbs.Testing.Logging;
using Bbs.Testing.Store;
using Xunit.Abstractions;

namespace Bbs.Store.Tests.View;

/// <summary>
/// The store view's load loop backs off while the store fails and logs the failure once and the recovery once; over
/// a real etcd that restarts, the view follows on through its watch and misses no write.
/// </summary>
public sealed class ViewBackoffTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Failing = TimeSpan.FromSeconds(8);
    private static readonly ReconnectBackoff Backoff = new(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10));

    private readonly TestLogger logger = new(output);

    [Fact]
    public async Task WhileTheStoreFailsTheViewsLoadsThinOutAndTheOutageIsOneLineWhenItBeginsAndOneWhenItEnds()
    {
        await using var inner = new EmbeddedKeyValueStore();
        await Put(inner, "/v1/k", "v");
        var store = new FailingRange(inner);
        await using var view = new KeyValueView(store, "/v1/", logger) { Backoff = Backoff, ReadTimeout = TimeSpan.FromSeconds(30) };

        var failing = Stopwatch.StartNew();
        view.Start();
        await Task.Delay(Failing / 2);
        long firstHalf = view.FailedAttempts;
        await Task.Delay(Failing / 2);
        long attempts = view.FailedAttempts;
        var outage = failing.Elapsed;
        store.Fail = false;
        var snapshot = await view.ReadAsync(CancellationToken.None);

        // The recovery is logged just after the snapshot is published, which may be after the read returns.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline && !logger.Entries.Any(e => e.Message.StartsWith("store view: loaded again", StringComparison.Ordinal)))
        {
            await Task.Delay(50);
        }

        output.WriteLine($"{attempts} failed loads in {outage.TotalSeconds:0.0} s, {firstHalf} in the first half");
        Assert.NotNull(snapshot.Get("/v1/k"));
        Assert.InRange(attempts, 3, MostAttempts(outage));
        Assert.True(attempts - firstHalf < firstHalf, $"the attempts should thin out: {firstHalf} in the first half, {attempts - firstHalf} in the second");
        Assert.Single(logger.Entries, e => e.Message.StartsWith("store view: the store failed", StringComparison.Ordinal));
        var recovered = Assert.Single(logger.Entries, e => e.Message.StartsWith("store view: loaded again", StringComparison.Ordinal));
        Assert.Contains($"({store.Failures} failed attempts)", recovered.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logger.Entries, e => e.Message.Contains("still fails", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AReadThatFindsTheStoreAnsweringEndsTheLoadLoopsPauseAtOnce()
    {
        await using var inner = new EmbeddedKeyValueStore();
        await Put(inner, "/v1/k", "v");
        var store = new FailingRange(inner);

        // A backoff whose pauses, after the first failures, are far longer than the read may wait.
        var slow = new ReconnectBackoff(TimeSpan.FromSeconds(40), TimeSpan.FromMinutes(2));
        await using var view = new KeyValueView(store, "/v1/", logger) { Backoff = slow, ReadTimeout = TimeSpan.FromSeconds(10) };
        view.Start();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (view.FailedAttempts < 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        store.Fail = false;
        var snapshot = await view.ReadAsync(CancellationToken.None);

        Assert.NotNull(snapshot.Get("/v1/k"));
        Assert.Equal(1, store.Failures);
    }

    [PrivateEtcdFact]
    public async Task AViewOverEtcdFollowsOnThroughARestartWithoutReloadingOrMissingAWrite()
    {
        await using var server = await EtcdServer.StartNewAsync(allowExternal: false);
        await using var store = EtcdKeyValueStore.Create(
            new EtcdClientOptions
            {
                Endpoints = [.. server.ClientUrls],
                ConnectTimeout = TimeSpan.FromSeconds(2),
                RequestTimeout = TimeSpan.FromSeconds(5),
                RetryBaseDelay = TimeSpan.FromMilliseconds(100),
            },
            logger);
        var prefix = TestKeys.UniquePrefix();
        await Put(store, prefix + "before", "1");
        await using var view = new KeyValueView(store, prefix, logger) { Backoff = Backoff, ReadTimeout = TimeSpan.FromSeconds(30) };
        view.Start();
        await view.ReadAsync(CancellationToken.None);

        await server.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));
        await server.StartAsync();
        long written = await Put(store, prefix + "after", "2");
        var snapshot = await view.ReadAsync(CancellationToken.None);

        Assert.True(snapshot.Revision >= written);
        Assert.NotNull(snapshot.Get(prefix + "before"));
        Assert.NotNull(snapshot.Get(prefix + "after"));
        Assert.Equal(1, view.Loads);
        Assert.Single(logger.Entries, e => e.EventId.Id == 12 && e.Message.StartsWith("etcd watch stream reconnected", StringComparison.Ordinal));
    }

    private static async Task<long> Put(IKeyValueStore store, string key, string value) =>
        (await store.TxnAsync(TxnRequest.If().Then(new PutOp(key, Encoding.UTF8.GetBytes(value))), CancellationToken.None)).Revision;

    /// <summary>The most failures the backoff allows within <paramref name="outage"/>: the n-th after pauses of at least half of base · (2^(n−1) − 1).</summary>
    private static int MostAttempts(TimeSpan outage)
    {
        int n = 1;
        while (Backoff.BaseDelay.TotalSeconds / 2 * (Math.Pow(2, n) - 1) <= outage.TotalSeconds)
        {
            n++;
        }

        return n;
    }

    /// <summary>A store whose ranges fail at once while <see cref="Fail"/> is set.</summary>
    private sealed class FailingRange(IKeyValueStore inner) : StoreDecorator(inner)
    {
        private int failures;

        public volatile bool Fail = true;

        public int Failures => Volatile.Read(ref failures);

        public override Task<RangeResult> RangeAsync(string prefix, long revision, CancellationToken cancellationToken)
        {
            if (Fail)
            {
                Interlocked.Increment(ref failures);
                return Task.FromException<RangeResult>(new StoreUnavailableException("etcd is down (test)"));
            }

            return base.RangeAsync(prefix, revision, cancellationToken);
        }
    }
}
