using Bbs.Db;
using Bbs.Models;
using Bbs.Store;

namespace Bbs.Server.Http;

/// <summary>
/// Endpoint metadata marking the routes whose bad-request answers also carry <c>keep_container=true</c>
/// (BBS's evacuate_claimed and evacuate_running answer that way).
/// </summary>
public sealed class KeepContainerOnError
{
    public static readonly KeepContainerOnError Instance = new();

    private KeepContainerOnError()
    {
    }
}

/// <summary>
/// Keeps every BBS error in-band: a body that did not decode or validate is answered before the handler
/// runs (so handlers read like the spec and never see bad input), and a <see cref="BbsErrorException"/> or
/// a store failure thrown by a handler becomes the response's error, never a 500.
/// </summary>
public sealed partial class BbsRequestFilter(ILogger<BbsRequestFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        foreach (var argument in context.Arguments)
        {
            if (argument is IBbsRequest { Error: { } error })
            {
                var keepContainer = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<KeepContainerOnError>() is not null;
                return new BbsErrorResult(error, keepContainer);
            }
        }

        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (BbsErrorException ex)
        {
            return new BbsErrorResult(ex.Error, keepContainer: false);
        }
        catch (StoreRequestTooLargeException ex)
        {
            // The same on both stores, and in our words: the embedded store enforces etcd's limit, and the etcd
            // store refuses before sending what etcd (or gRPC's message size check) would refuse in its own.
            return new BbsErrorResult(
                BbsErrors.InvalidRequest($"the write of {StoreRequestTooLargeException.Describe(ex.Key)} is a request of {ex.RequestBytes} bytes, more than the store takes ({ex.LimitBytes} bytes, max_request_bytes)"),
                keepContainer: false);
        }
        catch (StoreUnavailableException ex)
        {
            // A known, passing condition (etcd restarting, electing a leader, or too slow): typed Timeout, which a
            // client may retry, since every lifecycle write is safe to replay; never UnknownError. etcd's own words
            // go to the log only.
            LogStoreUnavailable(logger, context.HttpContext.Request.Path.Value, ex.Message);
            var message = ex.MayHaveBeenApplied
                ? "the store did not confirm the write in time, so it may have been applied; retrying is safe"
                : "the store is unavailable; try again";
            return new BbsErrorResult(BbsErrors.New(Error.Types.Type.Timeout, message), keepContainer: false);
        }
        catch (Exception ex) when (ex is StoreException || FromEtcd(ex))
        {
            LogStoreFailure(logger, ex, context.HttpContext.Request.Path.Value);
            return new BbsErrorResult(BbsErrors.New(Error.Types.Type.UnknownError, ClientText(ex)), keepContainer: false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // As BBS converts any error that is not a models.Error: UnknownError with its text, in-band.
            LogUnexpected(logger, ex, context.HttpContext.Request.Path.Value);
            return new BbsErrorResult(BbsErrors.New(Error.Types.Type.UnknownError, ex.Message), keepContainer: false);
        }
    }

    /// <summary>
    /// What a client is told of a store failure: our own store's text, but never etcd's or gRPC's (its status,
    /// details and internals are logged instead).
    /// </summary>
    private static string ClientText(Exception ex) =>
        FromEtcd(ex) ? "the store failed to serve the request; the server's log has the cause" : ex.Message;

    private static bool FromEtcd(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is Bbs.Etcd.EtcdException or Grpc.Core.RpcException)
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "unexpected failure while serving {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string? path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "store unavailable while serving {Path}: {Reason}")]
    private static partial void LogStoreUnavailable(ILogger logger, string? path, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "store failure while serving {Path}")]
    private static partial void LogStoreFailure(ILogger logger, Exception exception, string? path);
}
