using System.Diagnostics;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Bbs.Server.Hosting;

/// <summary>
/// Serilog as the only logging provider (Serilog.AspNetCore). By default one compact JSON object per line on stdout
/// (Serilog.Formatting.Compact) with RFC 3339 timestamps, at <c>log_level</c>; <c>log_format=text</c> writes readable lines. A <c>Serilog</c> configuration section (Serilog.Settings.Configuration)
/// may set levels and overrides, and when it names sinks under <c>Serilog:WriteTo</c> they replace the default console.
/// </summary>
internal static class Logging
{
    /// <summary>The header Diego's clients send with every request, and the request id of our log lines.</summary>
    public const string RequestIdHeader = "X-Vcap-Request-Id";

    /// <summary><c>log_format=text</c>: time, level, source, message, and the trace id when there is one.</summary>
    private const string TextTemplate = "{Timestamp:yyyy-MM-ddTHH:mm:ss.fffzzz} {Level:u3} {SourceContext}: {Message:lj}{NewLine}{Exception}";

    public static void AddBbsLogging(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        // Checked before this runs (ConfigurationCheck): one of BbsServerOptions.LogLevel's allowed values.
        var level = configuration[$"{BbsServerOptions.SectionName}:log_level"] switch
        {
            "debug" => LogEventLevel.Debug,
            "error" => LogEventLevel.Error,
            "fatal" => LogEventLevel.Fatal,
            "warn" => LogEventLevel.Warning,
            _ => LogEventLevel.Information,
        };
        bool configuredSinks = configuration.GetSection("Serilog:WriteTo").Exists();
        var logger = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("source", "bbs")
            .ReadFrom.Configuration(configuration);
        if (!configuredSinks && configuration[$"{BbsServerOptions.SectionName}:log_format"] == "text")
        {
            logger.WriteTo.Console(outputTemplate: TextTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (!configuredSinks)
        {
            // Compact JSON (CLEF): the template once, its properties at the top level, and the trace and span ids
            // (@tr, @sp); no rendered copy of the message and no "Properties" wrapper, so a line is a third of the size.
            logger.WriteTo.Console(new CompactJsonFormatter());
        }

        // Not the static Log.Logger: tests host several servers in one process, each with its own logger.
        var serilog = logger.CreateLogger();
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(serilog, dispose: true);
        builder.Services.AddSingleton<Serilog.ILogger>(serilog);
    }

    /// <summary>
    /// One line per request (Serilog.AspNetCore's request logging): route name, method, path, status, elapsed ms and
    /// the request id, which is <c>X-Vcap-Request-Id</c> when the caller sent one, else the trace id. Debug for
    /// success, Warning for 5xx and failures (decision 7), so production logs are not one line per request.
    /// </summary>
    public static void UseBbsRequestLogging(this WebApplication app)
    {
        // Every response carries its request id (echoed, or the generated one), as the log line does.
        app.Use((context, next) =>
        {
            context.Items[RequestIdHeader] = RequestId(context);
            context.Response.OnStarting(
                static state =>
                {
                    var c = (HttpContext)state;
                    c.Response.Headers[RequestIdHeader] = (string)c.Items[RequestIdHeader]!;
                    return Task.CompletedTask;
                },
                context);
            return next(context);
        });
        app.UseSerilogRequestLogging(options =>
        {
            options.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
            options.MessageTemplate = "request {RouteName} {RequestMethod} {RequestPath} -> {StatusCode} in {Elapsed:0.###} ms ({RequestId})";
            options.GetLevel = static (context, _, error) =>
                error is not null || context.Response.StatusCode >= 500 ? LogEventLevel.Warning : LogEventLevel.Debug;
            options.EnrichDiagnosticContext = static (diagnostics, context) =>
            {
                diagnostics.Set("RouteName", context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "none");
                diagnostics.Set("RequestId", context.Items[RequestIdHeader] as string ?? RequestId(context));
            };
        });
    }

    private static string RequestId(HttpContext context)
    {
        string sent = context.Request.Headers[RequestIdHeader].ToString();
        return sent.Length > 0 ? sent : Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier;
    }
}
