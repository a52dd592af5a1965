namespace Bbs.Testing.Peers;

/// <summary>A stop a fake rep received (<c>POST /v1/lrps/{process_guid}/instances/{instance_guid}/stop</c>), with the status it got.</summary>
public sealed record RepStop(string ProcessGuid, string InstanceGuid, int StatusCode);

/// <summary>A cancel a fake rep received (<c>POST /v1/tasks/{task_guid}/cancel</c>), with the status it got.</summary>
public sealed record RepCancel(string TaskGuid, int StatusCode);

/// <summary>
/// A fake Diego cell rep serving the routes the BBS calls: StopLRPInstance, CancelTask, and UpdateLRPInstance
/// (<c>PUT /v1/lrps/{pg}/instances/{ig}</c> and <c>/v2/...</c>), answered 202 Accepted by default.
/// </summary>
/// <example>
/// In a server integration test, register a cell whose presence points at the fake, then act on the BBS:
/// <code>
/// await using var rep = await FakeRep.StartAsync();
/// var cell = new CellPresence { CellId = "cell-1", RepAddress = rep.Url };   // or RepUrl = rep.Url (preferred when set)
/// // ... upsert the cell presence, claim + start an LRP on cell-1, then retire it ...
/// var stop = await rep.WaitForStopAsync("my-process-guid", "instance-guid");
/// </code>
/// One fake per cell; several fakes model several cells.
/// </example>
public sealed class FakeRep : FakePeer
{
    private FakeRep()
        : base(202)
    {
    }

    /// <summary>Starts a fake rep on a free port of 127.0.0.1; its <see cref="FakePeer.Url"/> is the value for <c>rep_address</c> or <c>rep_url</c>.</summary>
    public static async Task<FakeRep> StartAsync(CancellationToken cancellationToken = default)
    {
        var fake = new FakeRep();
        await fake.StartServerAsync(cancellationToken);
        return fake;
    }

    /// <summary>Starts it over mutual TLS (see <see cref="FakePeerTls"/>); its <see cref="FakePeer.Url"/> is an <c>https://</c> URL.</summary>
    public static async Task<FakeRep> StartAsync(FakePeerTls tls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tls);
        var fake = new FakeRep();
        await fake.StartServerAsync(tls, cancellationToken);
        return fake;
    }

    /// <summary>Every stop received, refused ones and retries included.</summary>
    public IReadOnlyList<RepStop> Stops =>
        [.. Requests.Select(r => (r, s: Segments(r))).Where(x => IsStop(x.r.Method, x.s)).Select(x => new RepStop(x.s[2], x.s[4], x.r.StatusCode))];

    /// <summary>Every cancel received, refused ones and retries included.</summary>
    public IReadOnlyList<RepCancel> Cancels =>
        [.. Requests.Select(r => (r, s: Segments(r))).Where(x => IsCancel(x.r.Method, x.s)).Select(x => new RepCancel(x.s[2], x.r.StatusCode))];

    /// <summary>Waits for a stop of the instance and returns the first one received.</summary>
    public async Task<RepStop> WaitForStopAsync(string processGuid, string instanceGuid, TimeSpan? timeout = null)
    {
        await WaitUntilAsync(_ => Stops.Any(s => s.ProcessGuid == processGuid && s.InstanceGuid == instanceGuid), timeout, $"a stop of {processGuid} instance {instanceGuid}");
        return Stops.First(s => s.ProcessGuid == processGuid && s.InstanceGuid == instanceGuid);
    }

    /// <summary>Waits for a cancel of the task and returns the first one received.</summary>
    public async Task<RepCancel> WaitForCancelAsync(string taskGuid, TimeSpan? timeout = null)
    {
        await WaitUntilAsync(_ => Cancels.Any(c => c.TaskGuid == taskGuid), timeout, $"a cancel of task {taskGuid}");
        return Cancels.First(c => c.TaskGuid == taskGuid);
    }

    protected override bool IsKnownRoute(string method, string path)
    {
        var s = Split(path);
        return IsStop(method, s) || IsCancel(method, s) || IsUpdate(method, s);
    }

    // Segments are unescaped, so guids come back as the BBS knew them.
    private static string[] Segments(RecordedRequest request) => Split(request.Path);

    private static string[] Split(string path) =>
        [.. path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString)];

    private static bool IsStop(string method, string[] s) =>
        method == "POST" && s is ["v1", "lrps", _, "instances", _, "stop"];

    private static bool IsCancel(string method, string[] s) =>
        method == "POST" && s is ["v1", "tasks", _, "cancel"];

    private static bool IsUpdate(string method, string[] s) =>
        method == "PUT" && s is ["v1" or "v2", "lrps", _, "instances", _];
}
