using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Bbs.Testing.Peers;

namespace Bbs.Server.Tests.Tasks;

/// <summary>
/// A task's completion callback receiver (e.g. Cloud Controller): a real HTTP server on 127.0.0.1 that records
/// every POST, any path, with its body, and answers 200 unless told otherwise (<see cref="FakePeer.StatusCode"/>,
/// <see cref="FakePeer.FailNext"/>, <see cref="FakePeer.HoldResponses"/>).
/// </summary>
public sealed class CallbackServer : FakePeer
{
    private CallbackServer()
        : base(200)
    {
    }

    /// <summary>Starts a receiver on a free port of 127.0.0.1.</summary>
    public static async Task<CallbackServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var server = new CallbackServer();
        await server.StartServerAsync(cancellationToken);
        return server;
    }

    /// <summary>A URL of this server for one task, so its callbacks can be told apart.</summary>
    public string UrlFor(string taskGuid) => $"{Url}/callbacks/{taskGuid}";

    /// <summary>The callbacks received for <paramref name="taskGuid"/> (by URL), in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> CallbacksFor(string taskGuid) =>
        [.. Requests.Where(r => r.Path == $"/callbacks/{taskGuid}")];

    public async Task<RecordedRequest> WaitForCallbackAsync(string taskGuid, TimeSpan? timeout = null) =>
        await WaitForAsync(r => r.Path == $"/callbacks/{taskGuid}", timeout);

    public Task WaitForCallbacksAsync(string taskGuid, int count, TimeSpan? timeout = null) =>
        WaitForCountAsync(count, r => r.Path == $"/callbacks/{taskGuid}", timeout);

    /// <summary>A loopback URL where nothing listens: connecting is refused at once.</summary>
    public static string DeadUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}/callbacks/dead";
    }

    protected override bool IsKnownRoute(string method, string path) => method == "POST";

    /// <summary>The named property of a recorded JSON body, failing the test when it is absent.</summary>
    public static JsonElement Property(RecordedRequest request, string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        Assert.True(request.Json is { ValueKind: JsonValueKind.Object }, $"callback body is not a JSON object: {request.Body}");
        Assert.True(request.Json.Value.TryGetProperty(name, out var value), $"callback body has no \"{name}\": {request.Body}");
        return value;
    }
}
