using System.Security.Cryptography.X509Certificates;
using Bbs.Server.Tests.Support;
using Bbs.Testing.Etcd;

namespace Bbs.Server.Tests;

/// <summary>
/// The API over mutual TLS (bbs-protocol.md §10 case 30): with cert_file, key_file and ca_file, a client with a
/// certificate from that CA is served; one with no certificate, or one from another CA, fails the handshake.
/// </summary>
public sealed class TlsTests : IAsyncLifetime
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "bbs-tls-" + Guid.NewGuid().ToString("N"));
    private EtcdTls pki = null!;
    private BbsServerFactory Factory { get; set; } = null!;

    public Task InitializeAsync()
    {
        pki = EtcdTls.Create(Path.Combine(dir, "ours"));
        Factory = new BbsServerFactory(new Dictionary<string, string?>
        {
            ["Bbs:store"] = "embedded",
            ["Bbs:cert_file"] = pki.ServerCertFile,
            ["Bbs:key_file"] = pki.ServerKeyFile,
            ["Bbs:ca_file"] = pki.CaFile,
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task AClientWithACertificateFromTheCaIsServedOverTls()
    {
        Assert.Equal("https", Factory.BaseAddress.Scheme);
        using var client = new HttpClient(pki.CreateHandler()) { BaseAddress = Factory.BaseAddress };

        using var response = await client.PostAsync(new Uri("/v1/ping", UriKind.Relative), null);

        Assert.Equal(new byte[] { 0x08, 0x01 }, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task TheBbsClientSpeaksMutualTlsFromPemFiles()
    {
        using var client = new Bbs.Client.BbsClient(Bbs.Client.BbsClientOptions.FromPemFiles(Factory.BaseAddress, pki.CaFile, pki.ClientCertFile, pki.ClientKeyFile));

        Assert.True(await client.PingAsync());
        await client.UpsertDomainAsync("tls-domain", TimeSpan.FromMinutes(1));
        Assert.Contains("tls-domain", await client.DomainsAsync());
    }

    [Fact]
    public async Task AClientWithoutACertificateIsRefused()
    {
        var handler = pki.CreateHandler();
        handler.SslOptions.ClientCertificates = null;
        using var client = new HttpClient(handler) { BaseAddress = Factory.BaseAddress };

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.PostAsync(new Uri("/v1/ping", UriKind.Relative), null));
    }

    [Fact]
    public async Task AClientWithACertificateFromAnotherCaIsRefused()
    {
        var other = EtcdTls.Create(Path.Combine(dir, "other"));
        var handler = pki.CreateHandler();
        handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(other.ClientCertFile, other.ClientKeyFile)];
        using var client = new HttpClient(handler) { BaseAddress = Factory.BaseAddress };

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.PostAsync(new Uri("/v1/ping", UriKind.Relative), null));
    }

    [Fact]
    public async Task PlainHttpIsNotServedWhenTlsIsOn()
    {
        using var client = new HttpClient { BaseAddress = new UriBuilder(Factory.BaseAddress) { Scheme = "http" }.Uri };

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.PostAsync(new Uri("/v1/ping", UriKind.Relative), null));
    }
}
