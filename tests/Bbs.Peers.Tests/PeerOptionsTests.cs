using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Bbs.Peers.Tests;

public sealed class PeerOptionsTests(ITestOutputHelper output)
{
    [Fact]
    public void OptionsBindFromTheServersConfigurationKeys()
    {
        // The validator wants the PEM files to exist; their content is read only when a client is built.
        var pem = Path.GetTempFileName();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bbs:auctioneer_address"] = "http://auctioneer.service.cf.internal:9016",
            ["Bbs:communication_timeout"] = "00:00:07",
            ["Bbs:auction_batch_window"] = "00:00:00.020",
            ["Bbs:auction_max_batch_size"] = "50",
            ["Bbs:auction_queue_capacity"] = "500",
            ["Bbs:auctioneer_max_retries"] = "5",
            ["Bbs:rep_max_retries"] = "1",
            ["Bbs:auctioneer_ca_cert"] = pem,
            ["Bbs:auctioneer_client_cert"] = pem,
            ["Bbs:auctioneer_client_key"] = pem,
            ["Bbs:auctioneer_require_tls"] = "false",
            ["Bbs:rep_ca_cert"] = pem,
            ["Bbs:rep_client_cert"] = pem,
            ["Bbs:rep_client_key"] = pem,
            ["Bbs:rep_require_tls"] = "true",
        }).Build();
        using var services = new ServiceCollection().AddBbsPeers(configuration.GetSection("Bbs")).BuildServiceProvider();

        var auctioneer = services.GetRequiredService<IOptions<AuctioneerOptions>>().Value;
        var rep = services.GetRequiredService<IOptions<RepClientOptions>>().Value;

        Assert.Equal("http://auctioneer.service.cf.internal:9016", auctioneer.Address);
        Assert.Equal(TimeSpan.FromSeconds(7), auctioneer.RequestTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(20), auctioneer.BatchWindow);
        Assert.Equal((50, 500, 5), (auctioneer.MaxBatchSize, auctioneer.QueueCapacity, auctioneer.MaxRetries));
        Assert.Equal((TimeSpan.FromSeconds(7), 1), (rep.RequestTimeout, rep.MaxRetries));
        Assert.Equal((pem, pem, pem, false), (auctioneer.CaCert, auctioneer.ClientCert, auctioneer.ClientKey, auctioneer.RequireTls));
        Assert.Equal((pem, pem, pem, true), (rep.CaCert, rep.ClientCert, rep.ClientKey, rep.RequireTls));
        File.Delete(pem);
    }

    [Fact]
    public void TheDefaultsAreBbssCommunicationTimeoutAndNoAuctioneer()
    {
        var auctioneer = new AuctioneerOptions();

        Assert.False(auctioneer.IsConfigured);
        Assert.Equal(TimeSpan.FromSeconds(10), auctioneer.RequestTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(50), auctioneer.BatchWindow);
        Assert.Equal(TimeSpan.FromSeconds(10), new RepClientOptions().RequestTimeout);
    }

    [Theory]
    [InlineData("auctioneer.service.cf.internal:9016")]
    [InlineData("ftp://auctioneer")]
    public async Task AnAuctioneerAddressThatIsNotAnHttpUrlIsRejectedAtStart(string address)
    {
        using var host = PeersHost.Build(output, o => o.Address = address, null, null, out _);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("auctioneer_address", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonsensicalBatchingIsRejectedAtStart()
    {
        using var host = PeersHost.Build(output, o => (o.MaxBatchSize, o.QueueCapacity) = (0, 0), null, null, out _);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("auction_max_batch_size", error.Message, StringComparison.Ordinal);
    }
}
