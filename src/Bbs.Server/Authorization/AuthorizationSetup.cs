using Microsoft.Extensions.Options;

namespace Bbs.Server.Authorization;

/// <summary>Registration of per-identity authorization (<c>Bbs:authorization</c>).</summary>
public static class AuthorizationSetup
{
    public static IServiceCollection AddBbsAuthorization(this IServiceCollection services, IConfigurationSection bbs)
    {
        ArgumentNullException.ThrowIfNull(bbs);
        services.AddOptions<BbsAuthorizationOptions>().Bind(bbs.GetSection(BbsAuthorizationOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BbsAuthorizationOptions>, BbsAuthorizationOptionsValidator>();
        services.AddSingleton<AuthorizationRules>();
        services.AddSingleton<AuthorizationMetrics>();
        return services;
    }

    /// <summary>
    /// Adds the authorization filter to the /v1 routes when <c>authorization:enabled</c> is true; otherwise the routes
    /// are left exactly as they were (any client the TLS handshake accepted may call every route).
    /// </summary>
    public static RouteGroupBuilder AddBbsAuthorization(this RouteGroupBuilder v1)
    {
        ArgumentNullException.ThrowIfNull(v1);
        var services = ((IEndpointRouteBuilder)v1).ServiceProvider;
        if (!services.GetRequiredService<IOptions<BbsAuthorizationOptions>>().Value.Enabled)
        {
            return v1;
        }

        // Created now, so the denied series start at 0 before the first call.
        services.GetRequiredService<AuthorizationMetrics>();
        return v1.AddEndpointFilter<AuthorizationFilter>();
    }
}
