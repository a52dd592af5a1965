using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using Bbs.Server.Convergence;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.RateLimiting;

namespace Bbs.Server.Hosting;

/// <summary>
/// Load shedding and body limits, on ASP.NET Core's rate limiting (System.Threading.RateLimiting):
/// <list type="bullet">
/// <item>at most <c>max_requests_in_flight</c> API requests at once; more are answered 503 with <c>Retry-After</c>
/// (Diego's client retries those). Event streams and the health probes are not counted;</item>
/// <item>at most <c>max_list_requests_per_client</c> bulk list requests at once per client (certificate subject,
/// else address), so one poller cannot starve the cells' lifecycle calls;</item>
/// <item>a body over <c>max_request_body_bytes</c> is answered 413 with the limit in plain text.</item>
/// </list>
/// </summary>
internal static class RequestLimits
{
    private const string RetryAfterSeconds = "1";

    public static void AddBbsRequestLimits(this WebApplicationBuilder builder, BbsServerOptions options)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes);
        builder.Services.AddSingleton<RejectionMetrics>();
        builder.Services.AddRateLimiter(limiter =>
        {
            var inFlight = PartitionedRateLimiter.Create<HttpContext, string>(context => Counted(context)
                ? RateLimitPartition.GetConcurrencyLimiter("api", _ => new ConcurrencyLimiterOptions { PermitLimit = options.MaxRequestsInFlight, QueueLimit = 0 })
                : RateLimitPartition.GetNoLimiter("uncounted"));
            var lists = PartitionedRateLimiter.Create<HttpContext, string>(context => IsBulkList(context)
                ? RateLimitPartition.GetConcurrencyLimiter(ClientOf(context), _ => new ConcurrencyLimiterOptions { PermitLimit = options.MaxListRequestsPerClient, QueueLimit = 0 })
                : RateLimitPartition.GetNoLimiter("not a list"));
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(inFlight, lists);
            limiter.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var response = rejected.HttpContext.Response;
                response.Headers.RetryAfter = RetryAfterSeconds;
                // Which limiter said no: the server-wide one when it has no permit left, else the client's list one.
                bool list = IsBulkList(rejected.HttpContext) && inFlight.GetStatistics(rejected.HttpContext)?.CurrentAvailablePermits != 0;
                rejected.HttpContext.RequestServices.GetRequiredService<RejectionMetrics>().Rejected(list ? "list_per_client" : "in_flight");
                string reason = list
                    ? $"too many list requests from this client at once (max_list_requests_per_client={options.MaxListRequestsPerClient}); retry after {RetryAfterSeconds} s\n"
                    : $"the server is at its limit of requests in flight (max_requests_in_flight={options.MaxRequestsInFlight}); retry after {RetryAfterSeconds} s\n";
                await response.WriteAsync(reason, cancellationToken).ConfigureAwait(false);
            };
        });
    }

    public static void UseBbsRequestLimits(this WebApplication app, BbsServerOptions options)
    {
        app.Use(async (context, next) =>
        {
            if (context.Request.ContentLength is { } length && length > options.MaxRequestBodyBytes)
            {
                await TooLargeAsync(context, $"the request body is {length} bytes, more than max_request_body_bytes ({options.MaxRequestBodyBytes})").ConfigureAwait(false);
                return;
            }

            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
            {
                // A body without Content-Length that grew past the limit while it was read.
                await TooLargeAsync(context, $"the request body is more than max_request_body_bytes ({options.MaxRequestBodyBytes})").ConfigureAwait(false);
            }
        });
        app.UseRateLimiter();
    }

    private static async Task TooLargeAsync(HttpContext context, string message)
    {
        context.RequestServices.GetRequiredService<RejectionMetrics>().Rejected("body_too_large");
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.Connection = "close";
        await context.Response.WriteAsync(message + "\n", context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>API requests count toward the in-flight limit; event streams (long-lived by design) and probes do not.</summary>
    private static bool Counted(HttpContext context)
    {
        var path = context.Request.Path;
        return path.StartsWithSegments("/v1", StringComparison.Ordinal) && !Events.EventsApi.IsStreamPath(path);
    }

    /// <summary>The bulk reads: every <c>/v1/…/list</c> route (actual LRPs, groups, desired LRPs, scheduling and routing infos, tasks, domains).</summary>
    private static bool IsBulkList(HttpContext context)
    {
        string path = context.Request.Path.Value ?? string.Empty;
        return path.StartsWith("/v1/", StringComparison.Ordinal) && (path.EndsWith("/list", StringComparison.Ordinal) || path.Contains("/list.r", StringComparison.Ordinal));
    }

    /// <summary>Who a list request comes from: its client certificate's subject when there is one, else its address.</summary>
    private static string ClientOf(HttpContext context) =>
        context.Features.Get<ITlsConnectionFeature>()?.ClientCertificate?.Subject
        ?? context.Connection.RemoteIpAddress?.ToString()
        ?? "unknown";
}

/// <summary>Requests refused by the limits, by reason (meter "Bbs.Server", counter <c>bbs_requests_rejected</c>).</summary>
internal sealed class RejectionMetrics
{
    private readonly Counter<long> rejected;

    public RejectionMetrics(IMeterFactory meters)
    {
        rejected = meters.Create(ConvergenceMetrics.MeterName).CreateCounter<long>("bbs_requests_rejected", description: "requests refused by the server's limits, by reason");
        foreach (var reason in (string[])["in_flight", "list_per_client", "body_too_large"])
        {
            Rejected(reason, 0);
        }
    }

    public void Rejected(string reason, long count = 1) => rejected.Add(count, new KeyValuePair<string, object?>("reason", reason));
}
