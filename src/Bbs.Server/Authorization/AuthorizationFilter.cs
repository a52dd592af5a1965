using Bbs.Db;
using Bbs.Server.Http;

namespace Bbs.Server.Authorization;

/// <summary>
/// Decides every /v1 call when authorization is enabled: the caller's role (from its client certificate) must hold
/// the route's permission (<see cref="RoutePermissions"/>), and a cell must own what it touches
/// (<see cref="CellOwnership"/>). A refusal is 403 with the reason in plain text, logged and counted, and the handler
/// never runs, so nothing is written.
/// <para>
/// It runs inside <see cref="BbsRequestFilter"/>: the body is decoded (ownership is in the instance key or cell id)
/// and a malformed one was already answered in-band, which writes nothing; a store failure while reading a task for
/// the ownership check is the same typed Timeout as in a handler.
/// </para>
/// </summary>
internal sealed partial class AuthorizationFilter(AuthorizationRules rules, AuthorizationMetrics metrics, ILogger<AuthorizationFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        string route = http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "none";
        var caller = rules.Resolve(http.Connection.ClientCertificate);
        if (await RefusalAsync(caller, route, context, http.RequestAborted).ConfigureAwait(false) is not { } refusal)
        {
            return await next(context).ConfigureAwait(false);
        }

        metrics.Denied(caller.RoleTag, route);
        LogDenied(logger, route, caller.Identity, caller.RoleTag, refusal);
        return Results.Text($"forbidden: {refusal}\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status403Forbidden);
    }

    private static async ValueTask<string?> RefusalAsync(Caller caller, string route, EndpointFilterInvocationContext context, CancellationToken cancellationToken)
    {
        if (caller.Role is not { } role)
        {
            return $"no authorization rule matches the client certificate ({caller.Identity})";
        }

        var permission = RoutePermissions.Of(route);
        if (!role.Holds(permission))
        {
            return $"role {caller.RoleTag} ({caller.Identity}) may not call {route}";
        }

        if (role != BbsRole.Cell || permission != Permission.OwnCell)
        {
            return null;
        }

        var body = context.Arguments.OfType<IBbsRequest>().FirstOrDefault()?.Body;
        var db = context.HttpContext.RequestServices.GetRequiredService<IDb>();
        return await CellOwnership.RefusalAsync(body, caller.CellId, db, cancellationToken).ConfigureAwait(false) is { } refusal
            ? $"role cell ({caller.Identity}) may not call {route}: {refusal}"
            : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "refused {Route} to {Identity} (role {Role}): {Reason}")]
    private static partial void LogDenied(ILogger logger, string route, string identity, string role, string reason);
}
