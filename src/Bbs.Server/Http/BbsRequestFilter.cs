namespace Bbs.Server.Http;

/// <summary>
/// Endpoint metadata marking the routes whose in-band errors also carry <c>keep_container=true</c>
/// (BBS's evacuate_claimed and evacuate_running answer bad requests that way).
/// </summary>
public sealed class KeepContainerOnError
{
    public static readonly KeepContainerOnError Instance = new();

    private KeepContainerOnError()
    {
    }
}

/// <summary>
/// Answers a request whose body did not decode or validate with BBS's in-band error, before the handler
/// runs; so handlers read like the spec and never see bad input.
/// </summary>
public sealed class BbsRequestFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        foreach (var argument in context.Arguments)
        {
            if (argument is IBbsRequest { Error: { } error })
            {
                var keepContainer = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<KeepContainerOnError>() is not null;
                return ValueTask.FromResult<object?>(new BbsErrorResult(error, keepContainer));
            }
        }

        return next(context);
    }
}
