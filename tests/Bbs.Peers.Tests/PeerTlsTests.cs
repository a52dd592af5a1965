using Bbs.Models;
using Bbs.Testing.Peers;
using Bbs.Testing.Tls;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;
using static Bbs.Peers.Tests.TestSupport;

namespace Bbs.Peers.Tests;

/// <summary>
/// Mutual TLS to the auctioneer and the reps (NEW's auctioneer_* and rep_* keys), with real certificates made here
/// and fake peers that serve TLS and require a client certificate from the BBS's CA.
/// </summary>
public sealed class PeerTlsTests(ITestOutputHelper output) : IDisposable
{
    private static readonly ActualLRPKey Key = new() { ProcessGuid = "pg-1", Index = 0, Domain = "cf-apps" };
    private static readonly ActualLRPInstanceKey InstanceKey = new() { InstanceGuid = "ig-1", CellId = "cell-1" };

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "bbs-peer-tls-" + Guid.NewGuid().ToString("N"));
    private TestCa? _ca;
    private TestCa.Issued? _client;
    private FakePeerTls? _serverTls;

    private TestCa Ca => _ca ??= TestCa.Create(_dir);

    private TestCa.Issued Client => _client ??= Ca.IssueClient("bbs");

    // The peers' server certificate, and the CA they require client certificates from.
    private FakePeerTls ServerTls => _serverTls ??= NewServerTls();

    public void Dispose()
    {
        _ca?.Dispose();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task AuctionRequestsGoOverMutualTls()
    {
        await using var auctioneer = await FakeAuctioneer.StartAsync(ServerTls);
        await using var peers = await PeersHost.StartAsync(output, auctioneer: o => AuctioneerTls(o, auctioneer.Url, requireTls: true));

        await peers.Auctioneer.RequestLrpAuctionsAsync([LrpStartRequest.From(SchedulingInfo(), 0)], CancellationToken.None);

        Assert.StartsWith("https://", auctioneer.Url, StringComparison.Ordinal);
        Assert.Equal("CN=bbs", Assert.Single(auctioneer.Requests).ClientCertificateSubject);
    }

    [Fact]
    public async Task AnAuctioneerWhoseCertificateIsFromAnotherCaIsRefused()
    {
        using var other = TestCa.Create(Path.Combine(_dir, "other"), "other-ca");
        var impostor = other.IssueServer("impostor");
        await using var auctioneer = await FakeAuctioneer.StartAsync(new FakePeerTls(impostor.CertFile, impostor.KeyFile, Ca.CaFile));
        await using var peers = await PeersHost.StartAsync(output, auctioneer: o => AuctioneerTls(o, auctioneer.Url, requireTls: true, retries: 0));

        var error = await Assert.ThrowsAsync<AuctioneerClientException>(
            () => peers.Auctioneer.RequestTaskAuctionsAsync([TaskStartRequest.From(PendingTask())], CancellationToken.None));

        Assert.Null(error.StatusCode);
        Assert.Empty(auctioneer.Requests);
    }

    [Fact]
    public async Task WhenTlsIsRequiredAnAuctioneerWithoutTlsIsNotCalledOverHttp()
    {
        await using var auctioneer = await FakeAuctioneer.StartAsync();
        await using var peers = await PeersHost.StartAsync(output, auctioneer: o => AuctioneerTls(o, Https(auctioneer.Url), requireTls: true, retries: 0));

        await Assert.ThrowsAsync<AuctioneerClientException>(
            () => peers.Auctioneer.RequestLrpAuctionsAsync([LrpStartRequest.From(SchedulingInfo(), 0)], CancellationToken.None));

        Assert.Empty(auctioneer.Requests);
    }

    [Fact]
    public async Task WhenTlsIsNotRequiredAnAuctioneerWithoutTlsIsCalledOverHttp()
    {
        await using var auctioneer = await FakeAuctioneer.StartAsync();
        await using var peers = await PeersHost.StartAsync(output, auctioneer: o => AuctioneerTls(o, Https(auctioneer.Url), requireTls: false, retries: 0));

        await peers.Auctioneer.RequestLrpAuctionsAsync([LrpStartRequest.From(SchedulingInfo(), 0)], CancellationToken.None);

        var request = Assert.Single(auctioneer.Requests);
        Assert.Null(request.ClientCertificateSubject);
        Assert.Contains(peers.Log.Entries, e => e.Message.Contains("plain HTTP", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RepCallsGoOverMutualTls()
    {
        await using var rep = await FakeRep.StartAsync(ServerTls);
        await using var peers = await PeersHost.StartAsync(output, rep: o => RepTls(o, requireTls: true));
        var client = peers.Reps.CreateClient(new CellPresence { CellId = "cell-1", RepAddress = "http://127.0.0.1:1", RepUrl = rep.Url });

        await client.StopLrpInstanceAsync(Key, InstanceKey, CancellationToken.None);
        await client.CancelTaskAsync("task-1", CancellationToken.None);

        Assert.Equal(["CN=bbs", "CN=bbs"], rep.Requests.Select(r => r.ClientCertificateSubject));
        Assert.Equal("ig-1", Assert.Single(rep.Stops).InstanceGuid);
        Assert.Equal("task-1", Assert.Single(rep.Cancels).TaskGuid);
    }

    [Fact]
    public async Task WhenTlsIsRequiredACellWithoutAnHttpsRepUrlIsNotCalled()
    {
        await using var rep = await FakeRep.StartAsync();
        await using var peers = await PeersHost.StartAsync(output, rep: o => RepTls(o, requireTls: true));

        Assert.Throws<ArgumentException>(() => peers.Reps.CreateClient(new CellPresence { CellId = "cell-1", RepAddress = rep.Url }));
        Assert.Throws<ArgumentException>(() => peers.Reps.CreateClient(new CellPresence { CellId = "cell-1", RepAddress = rep.Url, RepUrl = rep.Url }));
        Assert.Throws<ArgumentException>(() => peers.Reps.CreateClient(rep.Url));
        Assert.Empty(rep.Requests);
    }

    [Fact]
    public async Task WhenTlsIsNotRequiredACellWithoutARepUrlIsCalledAtItsRepAddressOverHttp()
    {
        await using var tlsRep = await FakeRep.StartAsync(ServerTls);
        await using var plainRep = await FakeRep.StartAsync();
        await using var peers = await PeersHost.StartAsync(output, rep: o => RepTls(o, requireTls: false));

        await peers.Reps.CreateClient(new CellPresence { CellId = "old", RepAddress = plainRep.Url }).CancelTaskAsync("over-http", CancellationToken.None);
        await peers.Reps.CreateClient(new CellPresence { CellId = "new", RepAddress = plainRep.Url, RepUrl = tlsRep.Url }).CancelTaskAsync("over-tls", CancellationToken.None);

        Assert.Equal(["over-http"], plainRep.Cancels.Select(c => c.TaskGuid));
        Assert.Equal(["over-tls"], tlsRep.Cancels.Select(c => c.TaskGuid));
        Assert.Equal("CN=bbs", Assert.Single(tlsRep.Requests).ClientCertificateSubject);
    }

    [Fact]
    public async Task WithoutTlsCredentialsAnHttpsRepUrlIsRefused()
    {
        await using var peers = await PeersHost.StartAsync(output);

        Assert.Throws<ArgumentException>(() => peers.Reps.CreateClient(new CellPresence { CellId = "c", RepAddress = "http://127.0.0.1:1", RepUrl = "https://127.0.0.1:2" }));
    }

    [Fact]
    public async Task RequiringTlsWithoutCredentialsIsRejectedAtStart()
    {
        using var host = PeersHost.Build(output, o => (o.Address, o.RequireTls) = ("https://auctioneer:9016", true), o => o.RequireTls = true, null, out _);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("auctioneer_require_tls needs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PartOfTheTlsCredentialsIsRejectedAtStart()
    {
        using var host = PeersHost.Build(output, null, o => o.CaCert = Ca.CaFile, null, out _);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("rep_ca_cert, rep_client_cert and rep_client_key must be given together", error.Message, StringComparison.Ordinal);
    }

    private FakePeerTls NewServerTls()
    {
        var server = Ca.IssueServer("peer");
        return new FakePeerTls(server.CertFile, server.KeyFile, Ca.CaFile);
    }

    private static string Https(string url) => "https://" + url["http://".Length..];

    private void AuctioneerTls(AuctioneerOptions o, string address, bool requireTls, int retries = 1)
    {
        (o.Address, o.CaCert, o.ClientCert, o.ClientKey, o.RequireTls) = (address, Ca.CaFile, Client.CertFile, Client.KeyFile, requireTls);
        o.MaxRetries = retries;
    }

    private void RepTls(RepClientOptions o, bool requireTls) =>
        (o.CaCert, o.ClientCert, o.ClientKey, o.RequireTls) = (Ca.CaFile, Client.CertFile, Client.KeyFile, requireTls);
}
