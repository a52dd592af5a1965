using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Bbs.Client.Events;
using Bbs.Models;
using Bbs.Server.Tests.Support;
using Google.Protobuf;

namespace Bbs.Server.Tests.Events;

/// <summary>An event stream read as bytes off the wire, for the tests where the exact form matters.</summary>
public sealed partial class RawEventStream : IAsyncDisposable
{
    private static readonly Dictionary<string, MessageParser> Parsers = new()
    {
        ["desired_lrp_created"] = DesiredLRPCreatedEvent.Parser,
        ["desired_lrp_changed"] = DesiredLRPChangedEvent.Parser,
        ["desired_lrp_removed"] = DesiredLRPRemovedEvent.Parser,
        ["actual_lrp_created"] = ActualLRPCreatedEvent.Parser,
        ["actual_lrp_changed"] = ActualLRPChangedEvent.Parser,
        ["actual_lrp_removed"] = ActualLRPRemovedEvent.Parser,
        ["actual_lrp_crashed"] = ActualLRPCrashedEvent.Parser,
        ["actual_lrp_instance_created"] = ActualLRPInstanceCreatedEvent.Parser,
        ["actual_lrp_instance_changed"] = ActualLRPInstanceChangedEvent.Parser,
        ["actual_lrp_instance_removed"] = ActualLRPInstanceRemovedEvent.Parser,
        ["task_created"] = TaskCreatedEvent.Parser,
        ["task_changed"] = TaskChangedEvent.Parser,
        ["task_removed"] = TaskRemovedEvent.Parser,
        ["resync_required"] = Error.Parser,
    };

    private readonly List<byte> buffer = [];
    private readonly byte[] chunk = new byte[64 * 1024];
    private Stream? body;

    private RawEventStream(HttpResponseMessage response)
    {
        Response = response;
    }

    public HttpResponseMessage Response { get; }

    /// <summary>Sends the subscription and returns once the headers are in (the body is not read).</summary>
    public static async Task<RawEventStream> OpenAsync(HttpClient http, HttpMethod method, string path, IMessage? body = null, string? lastEventId = null, string accept = "text/event-stream")
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = Protobuf.Body(body);
        }

        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(EventReader.Timeout);
        return new RawEventStream(response);
    }

    /// <summary>The next complete frame (up to and including its blank line), as text; null at the end of the stream.</summary>
    public async Task<string?> NextFrameAsync(TimeSpan? timeout = null)
    {
        body ??= await Response.Content.ReadAsStreamAsync();
        using var cancel = new CancellationTokenSource(timeout ?? EventReader.Timeout);
        while (true)
        {
            var end = IndexOfBlankLine();
            if (end >= 0)
            {
                var frame = Encoding.UTF8.GetString([.. buffer.Take(end + 2)]);
                buffer.RemoveRange(0, end + 2);
                return frame;
            }

            var read = await body.ReadAsync(chunk, cancel.Token);
            if (read == 0)
            {
                return null;
            }

            buffer.AddRange(chunk.AsSpan(0, read));
        }
    }

    /// <summary>Parses a frame in vito/go-sse's form; fails unless it is exactly <c>id: R.P\nevent: NAME\ndata: BASE64\n\n</c>.</summary>
    public static (string Id, string Name, byte[] Data) Parse(string frame)
    {
        var match = FrameForm().Match(frame);
        Assert.True(match.Success, $"not a BBS SSE frame: {frame.Replace("\n", "\\n", StringComparison.Ordinal)}");
        var data = match.Groups["data"].Value;
        var bytes = Convert.FromBase64String(data);
        Assert.Equal(data, Convert.ToBase64String(bytes)); // standard alphabet, padded
        return (match.Groups["id"].Value, match.Groups["name"].Value, bytes);
    }

    /// <summary>A parsed frame as the client would surface it (the message chosen by the name).</summary>
    public static BbsStreamEvent Decode((string Id, string Name, byte[] Data) frame)
    {
        Assert.True(Parsers.TryGetValue(frame.Name, out var parser), $"unknown event name {frame.Name}");
        return new BbsStreamEvent(frame.Name, frame.Id, parser.ParseFrom(frame.Data));
    }

    /// <summary>
    /// Parses a frame of a stream that asked for JSON: <c>id: R.P\nevent: NAME\ndata: {…}\n\n</c>, the data one line of
    /// Diego's JSON, decoded strictly into the event's message.
    /// </summary>
    public static BbsStreamEvent ParseJson(string frame)
    {
        var match = JsonFrameForm().Match(frame);
        Assert.True(match.Success, $"not a JSON SSE frame: {frame.Replace("\n", "\\n", StringComparison.Ordinal)}");
        var name = match.Groups["name"].Value;
        Assert.True(Parsers.TryGetValue(name, out var parser), $"unknown event name {name}");
        var type = parser.ParseFrom(ByteString.Empty).GetType();
        var read = typeof(Bbs.Models.Json.GoJsonReader).GetMethod(nameof(Bbs.Models.Json.GoJsonReader.Read))!.MakeGenericMethod(type)
            .Invoke(null, [new System.Buffers.ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(match.Groups["data"].Value))])!;
        var error = (string?)read.GetType().GetProperty("Error")!.GetValue(read);
        Assert.True(error is null, $"{name} data is not Diego's JSON: {error}");
        return new BbsStreamEvent(name, match.Groups["id"].Value, (IMessage)read.GetType().GetProperty("Message")!.GetValue(read)!);
    }

    public async ValueTask DisposeAsync()
    {
        if (body is not null)
        {
            await body.DisposeAsync();
        }

        Response.Dispose();
    }

    private int IndexOfBlankLine()
    {
        for (var i = 0; i + 1 < buffer.Count; i++)
        {
            if (buffer[i] == '\n' && buffer[i + 1] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    [GeneratedRegex(@"\Aid: (?<id>[0-9]+\.[0-9]+)\nevent: (?<name>[a-z_]+)\ndata: (?<data>[A-Za-z0-9+/]+={0,2})\n\n\z")]
    private static partial Regex FrameForm();

    [GeneratedRegex(@"\Aid: (?<id>[0-9]+\.[0-9]+)\nevent: (?<name>[a-z_]+)\ndata: (?<data>\{[^\n]*\})\n\n\z")]
    private static partial Regex JsonFrameForm();
}
