using System.Text.Json;

namespace Bbs.Testing.Peers;

/// <summary>One LRP start request as a fake auctioneer decoded it from the wire, with the status its POST got.</summary>
public sealed record AuctionedLrp(string ProcessGuid, string Domain, IReadOnlyList<int> Indices, JsonElement Json, int StatusCode);

/// <summary>One task start request as a fake auctioneer decoded it from the wire, with the status its POST got.</summary>
public sealed record AuctionedTask(string TaskGuid, string Domain, JsonElement Json, int StatusCode);

/// <summary>
/// A fake Diego auctioneer: <c>POST /v1/lrps</c> and <c>POST /v1/tasks</c> (JSON arrays of start requests),
/// answered 202 Accepted by default. Bodies are decoded here from the wire, independently of the BBS's own types.
/// </summary>
/// <example>
/// In a server integration test, point the server at it through configuration before the server starts:
/// <code>
/// await using var auctioneer = await FakeAuctioneer.StartAsync();
/// // e.g. WebApplicationFactory: builder.UseSetting("Bbs:auctioneer_address", auctioneer.Url)
/// // ... desire an LRP with 2 instances ...
/// await auctioneer.WaitForLrpAuctionAsync("my-process-guid", 1);
/// Assert.Equal(2, auctioneer.AcceptedLrpAuctions.SelectMany(a => a.Indices).Count());
/// auctioneer.FailNext(1);          // the next POST gets 500, later ones 202
/// auctioneer.StatusCode = 503;     // every POST fails from now on
/// </code>
/// </example>
public sealed class FakeAuctioneer : FakePeer
{
    public const string LrpsPath = "/v1/lrps";
    public const string TasksPath = "/v1/tasks";

    private FakeAuctioneer()
        : base(202)
    {
    }

    /// <summary>Starts a fake auctioneer on a free port of 127.0.0.1; its <see cref="FakePeer.Url"/> is the value for <c>auctioneer_address</c>.</summary>
    public static async Task<FakeAuctioneer> StartAsync(CancellationToken cancellationToken = default)
    {
        var fake = new FakeAuctioneer();
        await fake.StartServerAsync(cancellationToken);
        return fake;
    }

    /// <summary>Starts it over mutual TLS (see <see cref="FakePeerTls"/>); its <see cref="FakePeer.Url"/> is an <c>https://</c> URL.</summary>
    public static async Task<FakeAuctioneer> StartAsync(FakePeerTls tls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tls);
        var fake = new FakeAuctioneer();
        await fake.StartServerAsync(tls, cancellationToken);
        return fake;
    }

    /// <summary>Every LRP start request of every <c>POST /v1/lrps</c>, refused ones (and their retries) included.</summary>
    public IReadOnlyList<AuctionedLrp> LrpAuctions =>
        [.. Posts(LrpsPath).SelectMany(r => Elements(r).Select(e => new AuctionedLrp(
            GetString(e, "process_guid"),
            GetString(e, "domain"),
            e.TryGetProperty("indices", out var indices) && indices.ValueKind == JsonValueKind.Array ? [.. indices.EnumerateArray().Select(i => i.GetInt32())] : [],
            e,
            r.StatusCode)))];

    /// <summary>Every task start request of every <c>POST /v1/tasks</c>, refused ones (and their retries) included.</summary>
    public IReadOnlyList<AuctionedTask> TaskAuctions =>
        [.. Posts(TasksPath).SelectMany(r => Elements(r).Select(e => new AuctionedTask(GetString(e, "TaskGuid"), GetString(e, "Domain"), e, r.StatusCode)))];

    /// <summary>The LRP start requests of POSTs answered 202: what the auctioneer took.</summary>
    public IReadOnlyList<AuctionedLrp> AcceptedLrpAuctions => [.. LrpAuctions.Where(a => a.StatusCode == 202)];

    /// <summary>The task start requests of POSTs answered 202: what the auctioneer took.</summary>
    public IReadOnlyList<AuctionedTask> AcceptedTaskAuctions => [.. TaskAuctions.Where(a => a.StatusCode == 202)];

    /// <summary>Waits until a POST answered 202 carried <paramref name="index"/> of <paramref name="processGuid"/>.</summary>
    public Task WaitForLrpAuctionAsync(string processGuid, int index, TimeSpan? timeout = null) =>
        WaitUntilAsync(_ => AcceptedLrpAuctions.Any(a => a.ProcessGuid == processGuid && a.Indices.Contains(index)), timeout, $"an LRP auction for {processGuid} index {index}");

    /// <summary>Waits until a POST answered 202 carried <paramref name="taskGuid"/>.</summary>
    public Task WaitForTaskAuctionAsync(string taskGuid, TimeSpan? timeout = null) =>
        WaitUntilAsync(_ => AcceptedTaskAuctions.Any(a => a.TaskGuid == taskGuid), timeout, $"a task auction for {taskGuid}");

    protected override bool IsKnownRoute(string method, string path) =>
        method == "POST" && path is LrpsPath or TasksPath;

    private IEnumerable<RecordedRequest> Posts(string path) => Requests.Where(r => r.Method == "POST" && r.Path == path);

    private static JsonElement[] Elements(RecordedRequest request) =>
        request.Json is { ValueKind: JsonValueKind.Array } array ? [.. array.EnumerateArray()] : [];

    private static string GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}
