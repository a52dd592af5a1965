using System.Net;
using System.Net.Sockets;
using Bbs.Etcd.Api;
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
    public async Task CallsWatchesAndKeepAlivesFailOverFromADeadEndpointToALiveOne()
    {
        var dead = DeadEndpoint();
        await using var client = NewClient([dead, .. etcd.ClientUrls], _logger);

        // A write is not retried, but a connection that could not be opened sent nothing, so it moves on at once.
        long put = await client.PutAsync(_prefix + "k", "v");
        var kv = await client.GetAsync(_prefix + "k");
        await using var watch = new WatchRecorder(client, WatchPrefix(_prefix, put));
        await watch.WaitForEventsAsync(1);
        var lease = await client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 5 }, CancellationToken.None);
        await using var keepAlive = await client.KeepAliveAsync(lease.ID, CancellationToken.None);

        Assert.Equal("v", kv!.Value.ToStringUtf8());
        Assert.Equal(etcd.ClientUrls[0], client.CurrentEndpoint);
        Assert.Contains(_logger.Entries, e => e.EventId.Id == 1 && e.Message.Contains(dead.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task AWatchStartedWhileTheCurrentEndpointIsDeadConnectsToTheNextOne()
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

        Assert.Equal(GrpcStatusCode.Unavailable, write.StatusCode);
        Assert.Contains("cannot connect", read.Message, StringComparison.Ordinal);
        Assert.Contains(_logger.Entries, e => e.EventId.Id == 2);
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

        Assert.Equal(GrpcStatusCode.DeadlineExceeded, write.StatusCode);
        Assert.Equal(GrpcStatusCode.DeadlineExceeded, read.StatusCode);
    }

    [Fact]
    public async Task AReadRetriesPastAnEndpointThatAcceptsConnectionsButNeverAnswers()
    {
        using var blackHole = new TcpListener(IPAddress.Loopback, 0);
        blackHole.Start();
        var silent = new Uri($"http://127.0.0.1:{((IPEndPoint)blackHole.LocalEndpoint).Port}");
        await using var client = NewClient([silent, .. etcd.ClientUrls], _logger, o => o.RequestTimeout = TimeSpan.FromMilliseconds(500));

        var write = await Assert.ThrowsAsync<EtcdDeadlineExceededException>(() => client.PutAsync(_prefix + "k", "v"));
        long put = await client.PutAsync(_prefix + "k", "v");
        await client.DeleteAsync(_prefix + "k");
        await using var other = NewClient([silent, .. etcd.ClientUrls], _logger, o => o.RequestTimeout = TimeSpan.FromMilliseconds(500));
        var read = await other.RangeAsync(new RangeRequest { Key = Bytes(_prefix + "k"), Revision = put }, CancellationToken.None);

        Assert.Equal(GrpcStatusCode.DeadlineExceeded, write.StatusCode);
        Assert.Equal("v", Assert.Single(read.Kvs).Value.ToStringUtf8());
        Assert.Equal(etcd.ClientUrls[0], other.CurrentEndpoint);
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
