using Microsoft.AspNetCore.Diagnostics;

namespace Bbs.Server.Http;

/// <summary>
/// The router's plain-text answers, byte for byte as BBS's router writes them:
/// unknown path <c>404 page not found\n</c>; known path, wrong method <c>405</c> with <c>Allow</c> and
/// <c>Method Not Allowed\n</c>. Other empty error statuses (BBS's 500/503 with empty bodies) are left empty.
/// </summary>
public static class RouterResponses
{
    public static Task WriteAsync(StatusCodeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        var body = response.StatusCode switch
        {
            StatusCodes.Status404NotFound => "404 page not found\n",
            StatusCodes.Status405MethodNotAllowed => "Method Not Allowed\n",
            _ => null,
        };
        if (body is null)
        {
            return Task.CompletedTask;
        }

        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = body.Length;
        return response.WriteAsync(body, context.HttpContext.RequestAborted);
    }
}
