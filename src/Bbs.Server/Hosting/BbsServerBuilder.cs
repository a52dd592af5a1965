using Bbs.Server.Authorization;
using Bbs.Server.Hosting.Configuration;
using Bbs.Server.Http;
using Bbs.Peers;
using Bbs.Server.Convergence;
using Bbs.Server.Encryption;
using Bbs.Server.Events;
using Bbs.Store.View;
using Bbs.Server.Leadership;
using Bbs.Server.Lrps;
using Bbs.Server.Metrics;
using Bbs.Server.OpenApi;
using Bbs.Server.Tasks;
using Microsoft.Extensions.Options;

namespace Bbs.Server.Hosting;

/// <summary>Composition of the server: what Program.cs calls, and nothing Program.cs has to know.</summary>
public static class BbsServerBuilder
{
    public static WebApplicationBuilder AddBbsServer(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // Every value is checked before anything binds it: a wrong one ends start-up with one line (exit code 2).
        ConfigurationCheck.Check(builder.Configuration);
        builder.AddBbsLogging();

        var section = builder.Configuration.GetSection(BbsServerOptions.SectionName);
        builder.Services.AddOptions<BbsServerOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<BbsServerOptions>, BbsServerOptionsValidator>();

        var options = section.Get<BbsServerOptions>() ?? new BbsServerOptions();
        var tls = options.CertFile is not null && options.KeyFile is not null;
        string api = $"{(tls ? "https" : "http")}://{options.ListenAddress}";
        builder.WebHost.UseUrls(Telemetry.MetricsUrl(options) is { } metricsUrl ? [api, metricsUrl] : [api]);
        if (tls)
        {
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => ServerTls.Configure(
                https,
                options,
                kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServerTls).FullName!))));
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
        builder.AddBbsRequestLimits(options);
        builder.Services.AddBbsAuthorization(section);

        builder.Services.AddBbsStore(section, options);
        builder.Services.AddBbsPeers(section);
        builder.Services.AddSingleton<LrpPlacement>();
        builder.Services.AddOptions<TaskOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHttpClient(TaskCompletionCallbacks.HttpClientName).ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan).RemoveAllLoggers();
        builder.Services.AddSingleton<TaskCompletionCallbacks>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<TaskCompletionCallbacks>());
        builder.Services.AddSingleton<TaskPlacement>();
        builder.Services.AddSingleton<ConvergenceMetrics>();
        builder.Services.AddSingleton<TaskConverger>();
        builder.Services.AddSingleton<LrpConverger>();
        builder.Services.AddOptions<ConvergenceOptions>().Bind(section).ValidateOnStart();
        builder.Services.AddSingleton<LeaderElection>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<LeaderElection>());
        builder.Services.AddOptions<KeyRotationOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<KeyRotation>();
        builder.Services.AddHostedService<LeaderWork>();
        builder.Services.AddOptions<EventOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<EventMapper>();
        builder.Services.AddSingleton<EventHub>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<EventHub>());
        builder.Services.AddSingleton<IViewListener>(provider => provider.GetRequiredService<EventHub>());
        builder.Services.AddBbsOpenApi();
        builder.AddBbsTelemetry(options);
        return builder;
    }

    public static WebApplication UseBbsServer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        ConfigurationCheck.ValidateAtStart(app.Services);

        // Shutdown (SIGTERM) begins with ApplicationStopping, before any hosted service stops and before Kestrel
        // drains requests: every event stream ends at once (clients resume elsewhere with Last-Event-ID), so the
        // drain waits only for ordinary in-flight requests. The leader's work stops on the same signal (LeaderWork).
        app.Lifetime.ApplicationStopping.Register(app.Services.GetRequiredService<EventHub>().Stop);
        app.StartBbsTelemetry();
        app.UseBbsRequestLogging();
        app.UseBbsRequestLimits(app.Services.GetRequiredService<IOptions<BbsServerOptions>>().Value);

        // A person who opens the server's address in a browser lands on the API's documentation. Only GET and
        // HEAD: any other method on "/" stays BBS's router's 404.
        app.Use((context, next) =>
        {
            if (context.Request.Path == "/" && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
            {
                context.Response.Redirect("/swagger");
                return Task.CompletedTask;
            }

            return next(context);
        });
        app.UseStatusCodePages(RouterResponses.WriteAsync);
        app.UseBbsOpenApi();
        app.UseRouting();

        // BBS's router matches a path exactly: ASP.NET Core's ignores case and a trailing slash, so a route it
        // matched that way is no match (404, as BBS answers /v1/PING or /v1/ping/).
        app.Use((context, next) =>
        {
            if (context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } pattern }
                && pattern.StartsWith("/v1/", StringComparison.Ordinal)
                && !string.Equals(pattern, context.Request.Path.Value, StringComparison.Ordinal))
            {
                context.SetEndpoint(null);
            }

            return next(context);
        });
        app.UseBbsTelemetry(app.Services.GetRequiredService<IOptions<BbsServerOptions>>().Value);
        app.MapBbsRoutes();
        app.MapBbsTelemetry();
        return app;
    }
}
