using System.Net;
using Bbs.Server.Tests.Support;

namespace Bbs.Server.Tests.Hosting;

/// <summary>What every response carries, and where the server's root leads a person with a browser.</summary>
public sealed class ResponseBasicsTests(EmbeddedBbsServer server) : IClassFixture<EmbeddedBbsServer>
{
    [Fact]
    public async Task EveryResponseCarriesTheRequestIdTheCallerSentOrAGeneratedOne()
    {
        using var http = server.Factory.CreateHttpClient();
        using var sent = new HttpRequestMessage(HttpMethod.Post, "/v1/ping");
        sent.Headers.Add("X-Vcap-Request-Id", "caller-chosen-id");

        using var echoed = await http.SendAsync(sent);
        using var generated = await http.PostAsync(new Uri("/v1/ping", UriKind.Relative), null);
        using var missing = await http.PostAsync(new Uri("/v1/nowhere", UriKind.Relative), null);

        Assert.Equal("caller-chosen-id", Assert.Single(echoed.Headers.GetValues("X-Vcap-Request-Id")));
        Assert.Matches("^[0-9a-f]{32}$", Assert.Single(generated.Headers.GetValues("X-Vcap-Request-Id")));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Single(missing.Headers.GetValues("X-Vcap-Request-Id"));
    }

    [Fact]
    public async Task TheRootRedirectsToSwagger()
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = server.Factory.BaseAddress };

        using var root = await http.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/swagger", root.Headers.Location?.ToString());
    }
}
