using Bbs.Server.Encryption;
using Bbs.Server.Hosting;
using Bbs.Server.Leadership;
using Bbs.Store;
using Bbs.Store.View;
using Microsoft.Extensions.Options;

namespace Bbs.Server.Health;

/// <summary>
/// Probes for orchestrators. <c>/healthz</c>: the process serves HTTP. <c>/readyz</c>: the store view is loaded
/// and the store answers within <see cref="BbsServerOptions.HealthCheckTimeout"/>; it also shows how the records are
/// sealed (key rotation's progress, and any record that cannot be read, which stays ready: the records are intact,
/// and each read that meets one answers an error naming it). Plain text, GET and HEAD, outside BBS's /v1 API.
/// </summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/healthz", [HttpMethods.Get, HttpMethods.Head], () => TypedResults.Text("ok\n")).WithName("Healthz");
        app.MapMethods("/readyz", [HttpMethods.Get, HttpMethods.Head], ReadyAsync).WithName("Readyz");
        return app;
    }

    public static async Task<IResult> ReadyAsync(IKeyValueStore store, KeyValueView view, LeaderElection election, KeyRotation rotation, IOptions<BbsServerOptions> options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!view.IsLoaded)
        {
            return TypedResults.Text("not ready: the store view is loading\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.HealthCheckTimeout);
        try
        {
            var revision = await store.GetRevisionAsync(timeout.Token).ConfigureAwait(false);
            var leader = election.IsLeader ? $"{election.Id} (this instance)" : election.Leader is { } other ? $"{other.Id} {other.Url}" : "unknown";
            return TypedResults.Text($"ready\nstore: {options.Value.Store.ToString().ToLowerInvariant()}\nrevision: {revision}\nview: {view.Current!.Count} keys at revision {view.Revision}\ninstance: {election.Id}\nleader: {leader}\n{string.Concat(rotation.Describe().Select(line => line + "\n"))}");
        }
        catch (Exception ex) when (ex is StoreException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            loggers.CreateLogger(typeof(HealthApi)).LogWarning(ex, "readiness check failed: store unreachable");
            return TypedResults.Text($"not ready: store unreachable: {ex.Message}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
