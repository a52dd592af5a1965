using System.Diagnostics;

namespace Bbs.Server.Hosting;

/// <summary>
/// One structured log line per request (method, path, status, duration, X-Vcap-Request-Id). Written by
/// hand: Serilog.AspNetCore, whose request logging does this, is not available from our package registry.
/// </summary>
internal sealed partial class RequestLogging(RequestDelegate next, ILogger<RequestLogging> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            var request = context.Request;
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var vcapRequestId = request.Headers["X-Vcap-Request-Id"].ToString();
            if (context.Response.StatusCode >= 500)
            {
                LogFailed(logger, request.Method, request.Path.Value, context.Response.StatusCode, elapsed, vcapRequestId);
            }
            else
            {
                LogServed(logger, request.Method, request.Path.Value, context.Response.StatusCode, elapsed, vcapRequestId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "request {Method} {Path} -> {StatusCode} in {ElapsedMs:0.###} ms ({VcapRequestId})")]
    private static partial void LogServed(ILogger logger, string method, string? path, int statusCode, double elapsedMs, string vcapRequestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "request {Method} {Path} -> {StatusCode} in {ElapsedMs:0.###} ms ({VcapRequestId})")]
    private static partial void LogFailed(ILogger logger, string method, string? path, int statusCode, double elapsedMs, string vcapRequestId);
}
