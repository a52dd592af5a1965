using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Bbs.Peers;
using Bbs.Server.Tests.Support;
using Bbs.Testing.Tls;

namespace Bbs.Server.Tests;

/// <summary>
/// What the API accepts as a client certificate, with real certificates over real TLS: only one from ca_file's CA,
/// meant for client use, valid now and not revoked by ca_crl_file; and only TLS 1.2+ with ECDHE and AEAD suites.
/// </summary>
public sealed class TlsClientCertificateTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "bbs-tls-clients-" + Guid.NewGuid().ToString("N"));
    private TestCa _ca = null!;
    private TestCa.Issued _revoked = null!;
    private string _crlFile = null!;

    private BbsServerFactory Server { get; set; } = null!;

    public Task InitializeAsync()
    {
        _ca = TestCa.Create(_dir);
        var server = _ca.IssueServer();
        _revoked = _ca.IssueClient("revoked-cell");
        _crlFile = _ca.WriteCrl("crl.pem", _revoked);
        Server = new BbsServerFactory(new Dictionary<string, string?>
        {
            ["Bbs:store"] = "embedded",
            ["Bbs:cert_file"] = server.CertFile,
            ["Bbs:key_file"] = server.KeyFile,
            ["Bbs:ca_file"] = _ca.CaFile,
            ["Bbs:ca_crl_file"] = _crlFile,
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _ca.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task AClientCertificateForClientUseIsServed() =>
        Assert.True(await PingsAsync(_ca.IssueClient("cell-1")));

    [Fact]
    public async Task AServerOnlyCertificateIsRefusedAsAClientCertificate() =>
        Assert.False(await PingsAsync(_ca.IssueClient("server-only", usages: [TestCa.ServerAuth])));

    [Fact]
    public async Task ACertificateForBothServerAndClientUseIsServed() =>
        Assert.True(await PingsAsync(_ca.IssueClient("both", usages: [TestCa.ServerAuth, TestCa.ClientAuth])));

    [Fact]
    public async Task ACertificateWithoutAnExtendedKeyUsageIsServed() =>
        Assert.True(await PingsAsync(_ca.IssueClient("any-use", usages: [])));

    [Fact]
    public async Task AnExpiredClientCertificateIsRefused() =>
        Assert.False(await PingsAsync(_ca.IssueClient("expired", notBefore: DateTimeOffset.UtcNow.AddMinutes(-50), notAfter: DateTimeOffset.UtcNow.AddMinutes(-10))));

    [Fact]
    public async Task AClientCertificateNotYetValidIsRefused() =>
        Assert.False(await PingsAsync(_ca.IssueClient("future", notBefore: DateTimeOffset.UtcNow.AddHours(1), notAfter: DateTimeOffset.UtcNow.AddHours(2))));

    [Fact]
    public async Task ARevokedClientCertificateIsRefusedAndAnotherFromTheSameCaIsServed()
    {
        Assert.False(await PingsAsync(_revoked));
        Assert.True(await PingsAsync(_ca.IssueClient("cell-2")));
    }

    [Fact]
    public async Task ACrlReplacedWhileTheServerRunsTakesEffectAtTheNextHandshake()
    {
        var cell = _ca.IssueClient("cell-3");
        Assert.True(await PingsAsync(cell));

        File.WriteAllText(_crlFile, File.ReadAllText(_ca.WriteCrl("next.pem", _revoked, cell)));
        File.SetLastWriteTimeUtc(_crlFile, DateTime.UtcNow.AddSeconds(5));

        Assert.False(await PingsAsync(cell));
        Assert.False(await PingsAsync(_revoked));
    }

    [Fact]
    public void ACrlNotSignedByTheCaOfCaFileStopsTheServerFromStarting()
    {
        using var other = TestCa.Create(Path.Combine(_dir, "other"), "other-ca");
        var server = _ca.IssueServer("server-2");

        var error = Record.Exception(() => new BbsServerFactory(new Dictionary<string, string?>
        {
            ["Bbs:store"] = "embedded",
            ["Bbs:cert_file"] = server.CertFile,
            ["Bbs:key_file"] = server.KeyFile,
            ["Bbs:ca_file"] = _ca.CaFile,
            ["Bbs:ca_crl_file"] = other.WriteCrl("other-crl.pem"),
        }).Dispose());

        Assert.NotNull(error);
        Assert.Contains("ca_crl_file", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheHandshakeNegotiatesTls12OrLaterWithAnAeadSuite()
    {
        await using var tls = await HandshakeAsync(_ca.IssueClient("cell-4"), null);

        Assert.True(tls.SslProtocol is SslProtocols.Tls12 or SslProtocols.Tls13);
        Assert.Contains(tls.NegotiatedCipherSuite, TlsDefaults.AllowedSuites);
    }

    [Fact]
    public async Task AClientOfferingOnlyACbcSuiteIsRefused()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Cipher suites can be chosen only with OpenSSL.
        }

        var error = await Record.ExceptionAsync(async () =>
        {
            await using var tls = await HandshakeAsync(_ca.IssueClient("cbc"), [TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256]);
        });

        Assert.IsAssignableFrom<AuthenticationException>(error);
    }

    private async Task<bool> PingsAsync(TestCa.Issued client)
    {
        using var http = new HttpClient(_ca.CreateHandler(client)) { BaseAddress = Server.BaseAddress };
        try
        {
            using var response = await http.PostAsync(new Uri("/v1/ping", UriKind.Relative), null);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private async Task<SslStream> HandshakeAsync(TestCa.Issued client, TlsCipherSuite[]? suites)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(Server.BaseAddress.Host, Server.BaseAddress.Port);
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        using var handler = _ca.CreateHandler(client);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificates = [client.Certificate],
            RemoteCertificateValidationCallback = handler.SslOptions.RemoteCertificateValidationCallback,
            EnabledSslProtocols = suites is null ? SslProtocols.None : SslProtocols.Tls12,
        };
        if (suites is not null && OperatingSystem.IsLinux())
        {
            options.CipherSuitesPolicy = new CipherSuitesPolicy(suites);
        }

        try
        {
            await tls.AuthenticateAsClientAsync(options);
        }
        catch
        {
            await tls.DisposeAsync();
            tcp.Dispose();
            throw;
        }

        return tls;
    }
}
