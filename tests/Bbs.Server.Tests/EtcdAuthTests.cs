using System.Net;
using Bbs.Server.Tests.Support;
using Bbs.Testing.Etcd;

namespace Bbs.Server.Tests;

/// <summary>
/// The server on an etcd with authentication enabled: <c>etcd_username</c> and <c>etcd_password</c> are used for
/// every call, and a wrong password leaves the server unready rather than serving.
/// </summary>
public sealed class EtcdAuthTests : IAsyncLifetime
{
    private const string Password = "bbs-etcd-Pa55";
    private EtcdServer etcd = null!;

    public async Task InitializeAsync()
    {
        etcd = await EtcdServer.StartNewAsync(allowExternal: false);
        await etcd.EnableAuthAsync(Password);
    }

    public async Task DisposeAsync() => await etcd.DisposeAsync();

    [PrivateEtcdFact]
    public async Task WithTheUsersPasswordTheServerReadsAndWrites()
    {
        await using var factory = Server(Password);
        using var client = new Bbs.Client.BbsClient(factory.CreateHttpClient());

        await client.UpsertDomainAsync("auth-domain", TimeSpan.FromMinutes(1));
        using var ready = await factory.CreateHttpClient().GetAsync(new Uri("/readyz", UriKind.Relative));

        Assert.Contains("auth-domain", await client.DomainsAsync());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [PrivateEtcdFact]
    public async Task WithAWrongPasswordTheServerIsNotReady()
    {
        await using var factory = Server("not-the-password");

        using var ready = await factory.CreateHttpClient().GetAsync(new Uri("/readyz", UriKind.Relative));
        string body = await ready.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.DoesNotContain("not-the-password", body, StringComparison.Ordinal);
    }

    private BbsServerFactory Server(string password) => new(new Dictionary<string, string?>
    {
        ["Bbs:store"] = "etcd",
        ["Bbs:etcd_endpoints"] = string.Join(',', etcd.ClientUrls),
        ["Bbs:etcd_username"] = "root",
        ["Bbs:etcd_password"] = password,
    });
}
