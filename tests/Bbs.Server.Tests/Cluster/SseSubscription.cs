using System.Net.Http.Headers;

namespace Bbs.Server.Tests.Cluster;

/// <summary>One server-sent event: its name and the base64 protobuf of its <c>data:</c> line, decoded.</summary>
public sealed record SseEvent(string Name, byte[] Data);

/// <summary>A raw <c>text/event-stream</c> subscription over a plain HttpClient, read frame by frame.</summary>
public sealed class SseSubscription : IAsyncDisposable
{
    private readonly HttpClient http;
    private readonly HttpResponseMessage response;
    private readonly StreamReader reader;

    private SseSubscription(HttpClient http, HttpResponseMessage response, Stream body)
    {
        this.http = http;
        this.response = response;
        reader = new StreamReader(body);
    }

    /// <summary>Subscribes with a GET and returns once the server has answered the headers (it has subscribed by then).</summary>
    public static async Task<SseSubscription> OpenAsync(Uri server, string path)
    {
        // A client of its own without a timeout: the stream stays open while the test runs; it lives as long as the subscription.
        var http = new HttpClient { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            response.EnsureSuccessStatusCode();
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            return new SseSubscription(http, response, await response.Content.ReadAsStreamAsync(timeout.Token));
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    /// <summary>Reads frames until one matches; fails when the stream ends or <paramref name="timeout"/> passes.</summary>
    public async Task<SseEvent> WaitForAsync(Func<SseEvent, bool> match, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        string? name = null;
        string? data = null;
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no matching event within {timeout.TotalSeconds} s");
            }

            if (line is null)
            {
                throw new InvalidOperationException("the event stream ended");
            }

            if (line.Length == 0)
            {
                if (name is not null && data is not null)
                {
                    var e = new SseEvent(name, Convert.FromBase64String(data));
                    if (match(e))
                    {
                        return e;
                    }
                }

                (name, data) = (null, null);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line["data: ".Length..];
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        reader.Dispose();
        response.Dispose();
        http.Dispose();
        return ValueTask.CompletedTask;
    }
}
