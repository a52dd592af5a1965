using Bbs.Models;
using Bbs.Server.Tests.Support;

namespace Bbs.Server.Tests;

public sealed class PingTests : IClassFixture<EmbeddedBbsServer>
{
    private readonly HttpClient client;

    public PingTests(EmbeddedBbsServer server)
    {
        client = server.Factory.CreateHttpClient();
    }

    [Fact]
    public async Task PingAnswersTheProtobufBytesOfAvailableTrue()
    {
        using var response = await client.PostAsync(new Uri("/v1/ping", UriKind.Relative), null);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(2, response.Content.Headers.ContentLength);
        Assert.Equal(new byte[] { 0x08, 0x01 }, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task PingIgnoresItsBodyAsBbsDoes()
    {
        using var response = await client.PostAsync(new Uri("/v1/ping", UriKind.Relative), Protobuf.Raw([0xff, 0x00, 0x13]));

        var ping = await Protobuf.ReadAsync<PingResponse>(response);
        Assert.True(ping.Available);
    }

    [Fact]
    public async Task PingAnswersJsonWhenTheRequestIsJson()
    {
        using var response = await client.PostAsync(new Uri("/v1/ping", UriKind.Relative), Protobuf.Json("{}"));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{\"available\":true}", await response.Content.ReadAsStringAsync());
    }
}
