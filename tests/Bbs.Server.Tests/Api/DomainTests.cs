using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Bbs.Server.Tests.Support;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Api;

/// <summary>bbs-protocol.md §4.4 and §10 case 5: domains are listed while fresh; a TTL of 0 never expires.</summary>
public abstract class DomainTests<TServer>(TServer server)
    where TServer : BbsServer
{
    private static readonly TimeSpan ExpiryTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ADomainWithATtlIsListedThenDisappearsWhenItExpires()
    {
        var domain = TestModels.NewGuid("domain");

        await server.Client.UpsertDomainAsync(domain, TimeSpan.FromSeconds(1));

        Assert.Contains(domain, await server.Client.DomainsAsync());
        Assert.True(await GoneWithinAsync(domain, ExpiryTimeout), $"{domain} (ttl 1s) was still listed after {ExpiryTimeout}");
    }

    [Fact]
    public async Task ADomainWithTtlZeroNeverExpires()
    {
        var forever = TestModels.NewGuid("domain");
        var shortLived = TestModels.NewGuid("domain");

        await server.Client.UpsertDomainAsync(forever, TimeSpan.Zero);
        await server.Client.UpsertDomainAsync(shortLived, TimeSpan.FromSeconds(1));

        Assert.True(await GoneWithinAsync(shortLived, ExpiryTimeout), $"{shortLived} (ttl 1s) was still listed after {ExpiryTimeout}");
        Assert.Contains(forever, await server.Client.DomainsAsync());
    }

    [Fact]
    public async Task ReUpsertingWithALongerTtlReplacesTheOldOne()
    {
        var domain = TestModels.NewGuid("domain");
        var sentinel = TestModels.NewGuid("domain");
        var clock = Stopwatch.StartNew();

        await server.Client.UpsertDomainAsync(domain, TimeSpan.FromSeconds(1));
        await server.Client.UpsertDomainAsync(domain, TimeSpan.FromSeconds(60));
        await server.Client.UpsertDomainAsync(sentinel, TimeSpan.FromSeconds(1));

        // Once the sentinel (upserted after the first TTL began) is gone and 3 s have passed, the first TTL would have run out too.
        Assert.True(
            await ApiSupport.EventuallyAsync(async () => clock.Elapsed >= TimeSpan.FromSeconds(3) && !(await server.Client.DomainsAsync()).Contains(sentinel), ExpiryTimeout),
            $"{sentinel} (ttl 1s) was still listed after {ExpiryTimeout}");
        Assert.Contains(domain, await server.Client.DomainsAsync());
    }

    [Fact]
    public async Task ReUpsertingWithAShorterTtlReplacesTheOldOne()
    {
        var domain = TestModels.NewGuid("domain");

        await server.Client.UpsertDomainAsync(domain, TimeSpan.FromSeconds(60));
        await server.Client.UpsertDomainAsync(domain, TimeSpan.FromSeconds(1));

        Assert.True(await GoneWithinAsync(domain, ExpiryTimeout), $"{domain} re-upserted with ttl 1s was still listed after {ExpiryTimeout}");
    }

    [Fact]
    public async Task ReUpsertingWithTtlZeroMakesADomainPermanent()
    {
        var domain = TestModels.NewGuid("domain");
        var sentinel = TestModels.NewGuid("domain");

        await server.Client.UpsertDomainAsync(domain, TimeSpan.FromSeconds(1));
        await server.Client.UpsertDomainAsync(domain, TimeSpan.Zero);
        await server.Client.UpsertDomainAsync(sentinel, TimeSpan.FromSeconds(1));

        Assert.True(await GoneWithinAsync(sentinel, ExpiryTimeout), $"{sentinel} (ttl 1s) was still listed after {ExpiryTimeout}");
        Assert.Contains(domain, await server.Client.DomainsAsync());
    }

    [Fact]
    public async Task ADomainUpsertedAsJsonIsListedAsJson()
    {
        var domain = TestModels.NewGuid("domain");

        using var upsert = await server.PostAsync("/v1/domains/upsert", Protobuf.Json($"{{\"domain\":\"{domain}\",\"ttl\":60}}"));
        Assert.Equal(HttpStatusCode.OK, upsert.StatusCode);
        Assert.Equal("application/json", upsert.Content.Headers.ContentType?.MediaType);
        using (var answer = JsonDocument.Parse(await upsert.Content.ReadAsStringAsync()))
        {
            Assert.False(answer.RootElement.TryGetProperty("error", out _), "the upsert answered an error");
        }

        using var list = await server.PostAsync("/v1/domains/list", Protobuf.Json("{}"));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal("application/json", list.Content.Headers.ContentType?.MediaType);
        using var listed = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
        Assert.Contains(domain, listed.RootElement.GetProperty("domains").EnumerateArray().Select(d => d.GetString()));
        Assert.Contains(domain, await server.Client.DomainsAsync());
    }

    private Task<bool> GoneWithinAsync(string domain, TimeSpan timeout) =>
        ApiSupport.EventuallyAsync(async () => !(await server.Client.DomainsAsync()).Contains(domain), timeout);
}

public sealed class EmbeddedDomainTests(EmbeddedBbsServer server) : DomainTests<EmbeddedBbsServer>(server), IClassFixture<EmbeddedBbsServer>;

public sealed class EtcdDomainTests(EtcdBbsServer server) : DomainTests<EtcdBbsServer>(server), IClassFixture<EtcdBbsServer>;
