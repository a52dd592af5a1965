using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace Bbs.Server.Hosting;

/// <summary>Serilog as the only logging provider: one JSON object per line on stdout, RFC 3339 timestamps.</summary>
internal static class Logging
{
    public static void AddBbsLogging(this WebApplicationBuilder builder)
    {
        var level = builder.Configuration[$"{BbsServerOptions.SectionName}:log_level"] switch
        {
            "debug" => LogEventLevel.Debug,
            "error" => LogEventLevel.Error,
            "fatal" => LogEventLevel.Fatal,
            "warn" or "warning" => LogEventLevel.Warning,
            _ => LogEventLevel.Information,
        };
        var logger = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("source", "bbs")
            .WriteTo.Console(new JsonFormatter(renderMessage: true))
            .CreateLogger();
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(logger, dispose: true);
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
    }
}
