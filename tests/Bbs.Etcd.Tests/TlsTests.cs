using Etcdserverpb;
using Mvccpb;
using Bbs.Testing.Etcd;
using Bbs.Testing.Logging;
using Xunit.Abstractions;
using static Bbs.Etcd.Tests.TestSupport;

namespace Bbs.Etcd.Tests;

/// <summary>Runs its own etcd with TLS and client-certificate authentication.</summary>
public sealed class TlsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TestLogger _logger = new(output);
    private readonly string _prefix = TestKeys.UniquePrefix();
    private EtcdServer _server = null!;

    public async Task InitializeAsync() => _server = await EtcdServer.StartNewAsync(tls: true);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [PrivateEtcdFact]
    public async Task AClientWithTheClusterCaAndAClientCertificateTalksToASecuredEtcd()
    {
        var tls = _server.Tls!;
        await using var client = NewClient(_server.ClientUrls, _logger, o =>
        {
            o.CaFile = tls.CaFile;
            o.CertFile = tls.ClientCertFile;
            o.KeyFile = tls.ClientKeyFile;
        });

        long put = await client.PutAsync(_prefix + "k", "secret");
        await using var watch = new WatchRecorder(client, WatchPrefix(_prefix, put));
        var events = await watch.WaitForEventsAsync(1);

        Assert.Equal(Uri.UriSchemeHttps, _server.ClientUrl.Scheme);
        Assert.Equal("secret", (await client.GetAsync(_prefix + "k"))!.Value.ToStringUtf8());
        Assert.Equal("secret", Assert.Single(events).Kv.Value.ToStringUtf8());
    }

    [PrivateEtcdFact]
    public async Task AClientThatDoesNotTrustTheServersCaCannotConnect()
    {
        await using var client = NewClient(_server.ClientUrls, _logger, o =>
        {
            o.CertFile = _server.Tls!.ClientCertFile;
            o.KeyFile = _server.Tls.ClientKeyFile;
            o.MaxRetryAttempts = 0;
        });

        await Assert.ThrowsAsync<EtcdUnavailableException>(() => client.RangeAsync(new RangeRequest { Key = Bytes(_prefix) }, CancellationToken.None));
    }
}
