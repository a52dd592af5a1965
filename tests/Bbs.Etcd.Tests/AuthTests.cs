using Bbs.Testing.Etcd;
using Bbs.Testing.Logging;
using Etcdserverpb;
using Grpc.Core;
using Xunit.Abstractions;
using static Bbs.Etcd.Tests.TestSupport;

namespace Bbs.Etcd.Tests;

/// <summary>
/// Runs its own etcd with authentication enabled (a root user) and a one-second token TTL, so that tokens expire
/// between calls and the client has to authenticate again.
/// </summary>
public sealed class AuthTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Password = "s3cret-Pa55";
    private readonly TestLogger _logger = new(output);
    private readonly string _prefix = TestKeys.UniquePrefix();
    private EtcdServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await EtcdServer.StartNewAsync(allowExternal: false, extraArguments: ["--auth-token-ttl", "1"]);
        await _server.EnableAuthAsync(Password);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [PrivateEtcdFact]
    public async Task AUserWithAPasswordReadsWritesWatchesAndKeepsLeasesAcrossExpiredTokens()
    {
        await using var client = NewClient(_server.ClientUrls, _logger, o =>
        {
            o.Username = "root";
            o.Password = Password;
        });

        long put = await client.PutAsync(_prefix + "k1", "v1");
        await using var watch = new WatchRecorder(client, WatchPrefix(_prefix, put));
        var lease = await client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 3 }, CancellationToken.None);
        await using var keepAlive = await client.KeepAliveAsync(lease.ID, CancellationToken.None);

        // Idle past the token's TTL: etcd forgets the token, and the next calls must authenticate again.
        await Task.Delay(TimeSpan.FromSeconds(4));
        await client.PutAsync(_prefix + "k2", "v2");
        var read = await client.GetAsync(_prefix + "k2");
        var events = await watch.WaitForEventsAsync(2);

        Assert.Equal("v2", read!.Value.ToStringUtf8());
        Assert.Equal(["v1", "v2"], events.Select(e => e.Kv.Value.ToStringUtf8()));
        Assert.False(keepAlive.Lost.IsCompleted, "renewals must go on with a renewed token");
        Assert.Contains(_logger.Entries, e => e.EventId.Id == 11);
        Assert.DoesNotContain(_logger.Entries, e => e.Message.Contains(Password, StringComparison.Ordinal));
    }

    [PrivateEtcdFact]
    public async Task AWrongPasswordOrNoCredentialsAreRefused()
    {
        await using var wrong = NewClient(_server.ClientUrls, _logger, o =>
        {
            o.Username = "root";
            o.Password = "wrong";
            o.MaxRetryAttempts = 0;
        });
        await using var anonymous = NewClient(_server.ClientUrls, _logger, o => o.MaxRetryAttempts = 0);

        var refused = await Assert.ThrowsAsync<EtcdAuthenticationException>(() => wrong.PutAsync(_prefix + "k", "v"));
        var unauthenticated = await Assert.ThrowsAsync<EtcdException>(() => anonymous.PutAsync(_prefix + "k", "v"));

        Assert.Contains("authentication failed", refused.Message, StringComparison.Ordinal);
        Assert.NotEqual(StatusCode.OK, unauthenticated.StatusCode);
        output.WriteLine($"wrong password: {refused.StatusCode} {refused.Message}; none: {unauthenticated.StatusCode} {unauthenticated.Message}");
    }
}
