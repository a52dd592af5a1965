using System.Net.Http.Headers;
using Google.Protobuf;

namespace Bbs.Server.Tests.Support;

/// <summary>Posts bodies the way Diego's Go client does (protobuf) or as JSON, and reads the answers.</summary>
public static class Protobuf
{
    public static ByteArrayContent Body(IMessage message) => Raw(message.ToByteArray());

    public static ByteArrayContent Raw(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return content;
    }

    public static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response)
        where T : IMessage<T>, new()
    {
        ArgumentNullException.ThrowIfNull(response);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return new MessageParser<T>(() => new T()).ParseFrom(bytes);
    }
}
