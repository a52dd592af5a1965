using System.Net;
using Bbs.Server.Tests.Support;

namespace Bbs.Server.Tests;

public sealed class RouterTests : IClassFixture<EmbeddedBbsServer>
{
    private readonly HttpClient client;

    public RouterTests(EmbeddedBbsServer server)
    {
        client = server.Factory.CreateHttpClient();
    }

    [Theory]
    [InlineData("/v1/no_such_route")]
    [InlineData("/v2/ping")]
    [InlineData("/")]
    [InlineData("/v1/PING")]
    [InlineData("/v1/ping/")]
    [InlineData("/V1/ping")]
    public async Task AnUnknownPathIsThePlainTextNotFoundOfBbsRouter(string path)
    {
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("404 page not found\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AKnownPathWithTheWrongMethodIsMethodNotAllowedWithAllow()
    {
        using var response = await client.GetAsync(new Uri("/v1/ping", UriKind.Relative));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["POST"], response.Content.Headers.Allow);
        Assert.Equal("Method Not Allowed\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HealthzAnswersWhileTheProcessServes()
    {
        using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ReadyzReportsAReachableStore()
    {
        using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("ready\nstore: embedded\nrevision: ", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SwaggerDescribesPingWithTheProtobufJsonSchema()
    {
        using var response = await client.GetAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        Assert.True(root.GetProperty("paths").TryGetProperty("/v1/ping", out var ping));
        Assert.True(ping.TryGetProperty("post", out _));
        var schema = root.GetProperty("components").GetProperty("schemas").GetProperty("PingResponse");
        Assert.Equal("boolean", schema.GetProperty("properties").GetProperty("available").GetProperty("type").GetString());
    }

    [Fact]
    public async Task SwaggerUiIsServed()
    {
        using var response = await client.GetAsync(new Uri("/swagger/index.html", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
