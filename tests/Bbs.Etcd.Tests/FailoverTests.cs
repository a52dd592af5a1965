using Grpc.Core;
using System.Net;
using System.Net.Sockets;
using Etcdserverpb;
using Mvccpb;
using Bbs.Testing.Etcd;
using Bbs.Testing.Logging;
using Xunit.Abstractions;
using static Bbs.Etcd.Tests.TestSupport;

namespace Bbs.Etcd.Tests;

[Collection(EtcdFixture.Collection)]
public sealed class FailoverTests(EtcdFixture etcd, ITestOutputHelper output)
{
    private readonly TestLogger _logger = new(output);
    private readonly string _prefix = TestKeys.UniquePrefix();

    [Fact]
    public async Task CallsWatchesAndKeepAlivesSkipADeadEndpointInTheList()
    {
        var dead = DeadEndpoint();
        await using var client = NewClient([dead, .. etcd.ClientUrls], _logger);

        // Writes are not retried, so every one of these shows that the balancer never sent a call to the dead member.
        long first = 0;
        for (int i = 0; i < 20; i++)
        {
            long put = await client.PutAsync(_prefix + "k" + i, "v" + i);
            first = first == 0 ? put : first;
        }

        var kv = await client.GetAsync(_prefix + "k19");
        await using var watch = new WatchRecorder(client, WatchPrefix(_prefix, first));
        var events = await watch.WaitForEventsAsync(20);
        var lease = await client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 5 }, CancellationToken.None);
        await using var keepAlive = await client.KeepAliveAsync(lease.ID, CancellationToken.None);

        Assert.Equal("v19", kv!.Value.ToStringUtf8());
        Assert.Equal(Enumerable.Range(0, 20).Select(i => "v" + i), events.Select(e => e.Kv.Value.ToStringUtf8()));
        Assert.False(keepAlive.Lost.IsCompleted);
    }

    [Fact]
    public async Task AWatchStartedWithADeadEndpointFirstInTheListConnectsToALiveOne()
    {
        await using var client = NewClient([DeadEndpoint(), .. etcd.ClientUrls], _logger);
        long start = (await client.StatusAsync(etcd.ClientUrls[0], CancellationToken.None)).Header.Revision + 1;

        await using var watch = new WatchRecorder(client, WatchPrefix(_prefix, start));
        await client.PutAsync(_prefix + "k", "v");

        Assert.Equal("v", Assert.Single(await watch.WaitForEventsAsync(1)).Kv.Value.ToStringUtf8());
    }

    [Fact]
    public async Task WhenNoEndpointAnswersCallsFailWithUnavailable()
    {
        await using var client = NewClient([DeadEndpoint(), DeadEndpoint()], _logger);

        var write = await Assert.ThrowsAsync<EtcdUnavailableException>(() => client.PutAsync(_prefix + "k", "v"));
        var read = await Assert.ThrowsAsync<EtcdUnavailableException>(() => client.RangeAsync(new RangeRequest { Key = Bytes(_prefix) }, CancellationToken.None));

        Assert.Equal(StatusCode.Unavailable, write.StatusCode);
        Assert.Equal(StatusCode.Unavailable, read.StatusCode);
        Assert.IsType<RpcException>(read.InnerException);
        Assert.True(write.NotConnected && read.NotConnected, "nothing was sent");

        // Each call waited the connect timeout for a member once; retrying at once after that would be pointless.
        Assert.DoesNotContain(_logger.Entries, e => e.EventId.Id == 2);
    }

    [Fact]
    public async Task AnEndpointThatNeverAnswersExceedsTheDeadline()
    {
        // A listener that is never accepted from: connections open, but nothing ever answers.
        using var blackHole = new TcpListener(IPAddress.Loopback, 0);
        blackHole.Start();
        var endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)blackHole.LocalEndpoint).Port}");
        await using var client = NewClient([endpoint], _logger, o =>
        {
            o.RequestTimeout = TimeSpan.FromMilliseconds(300);
            o.MaxRetryAttempts = 1;
        });

        var write = await Assert.ThrowsAsync<EtcdDeadlineExceededException>(() => client.PutAsync(_prefix + "k", "v"));
        var read = await Assert.ThrowsAsync<EtcdDeadlineExceededException>(() => client.RangeAsync(new RangeRequest { Key = Bytes(_prefix) }, CancellationToken.None));

        Assert.Equal(StatusCode.DeadlineExceeded, write.StatusCode);
        Assert.Equal(StatusCode.DeadlineExceeded, read.StatusCode);
    }

    [Fact]
    public async Task ReadsRetryPastAnEndpointThatAcceptsConnectionsButNeverAnswers()
    {
        using var blackHole = new TcpListener(IPAddress.Loopback, 0);
        blackHole.Start();
        var silent = new Uri($"http://127.0.0.1:{((IPEndPoint)blackHole.LocalEndpoint).Port}");
        await using var client = NewClient([silent, .. etcd.ClientUrls], _logger, o => o.RequestTimeout = TimeSpan.FromMilliseconds(500));

        // Round robin sends about every other call to the silent member: writes there fail (never resent), reads are retried.
        var outcomes = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            try
            {
                await client.PutAsync(_prefix + "k", "v" + i);
                outcomes.Add("ok");
            }
            catch (EtcdDeadlineExceededException)
            {
                outcomes.Add("deadline");
            }
        }

        var reads = new List<string?>();
        for (int i = 0; i < 6; i++)
        {
            reads.Add((await client.GetAsync(_prefix + "k"))?.Value.ToStringUtf8());
        }

        Assert.Contains("ok", outcomes);
        Assert.Contains("deadline", outcomes);
        string last = "v" + outcomes.LastIndexOf("ok");
        Assert.All(reads, r => Assert.Equal(last, r));
    }

    [Fact]
    public void InvalidOptionsAreRejectedWithEveryProblemNamed()
    {
        var options = new EtcdClientOptions
        {
            Endpoints = [new Uri("ftp://etcd:2379"), new Uri("http://etcd:2379/v3")],
            CertFile = "/nonexistent/client.pem",
            RequestTimeout = TimeSpan.Zero,
        };

        var error = Assert.Throws<ArgumentException>(() => new EtcdClient(options));

        Assert.Contains("ftp://etcd:2379", error.Message, StringComparison.Ordinal);
        Assert.Contains("must not have a path", error.Message, StringComparison.Ordinal);
        Assert.Contains("CertFile and KeyFile", error.Message, StringComparison.Ordinal);
        Assert.Contains("RequestTimeout", error.Message, StringComparison.Ordinal);
        Assert.Empty(new EtcdClientOptions { Endpoints = [new Uri("https://10.0.0.1:2379")] }.Validate());
    }

    private static Uri DeadEndpoint()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }
}
