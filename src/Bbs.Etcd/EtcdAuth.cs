using Etcdserverpb;
using Grpc.Core;

namespace Bbs.Etcd;

/// <summary>
/// The token of an etcd user (<see cref="EtcdClientOptions.Username"/>), sent as the <c>token</c> header of every
/// call and stream. It is fetched with Authenticate on first use and again whenever etcd answers that the token a
/// call carried is invalid (simple tokens expire after <c>--auth-token-ttl</c> idle seconds, and every token dies
/// with the member that issued it). Concurrent callers share one Authenticate call.
/// </summary>
internal sealed class EtcdAuth(string username, string password, Func<AuthenticateRequest, CancellationToken, Task<AuthenticateResponse>> authenticate) : IDisposable
{
    private const string InvalidTokenMessage = "invalid auth token";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private Metadata? _headers;

    /// <summary>True when etcd refused <paramref name="ex"/>'s call for its token, so the call was not applied and may be sent again.</summary>
    public static bool IsInvalidToken(RpcException ex) =>
        ex.StatusCode == StatusCode.Unauthenticated && ex.Status.Detail.Contains(InvalidTokenMessage, StringComparison.Ordinal);

    /// <summary>The headers to send: the current token, authenticating first when there is none.</summary>
    public ValueTask<Metadata> HeadersAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _headers) is { } headers ? new(headers) : new(RenewAsync(stale: null, cancellationToken));

    /// <summary>Authenticates again, unless another caller already replaced <paramref name="stale"/>.</summary>
    public async Task<Metadata> RenewAsync(Metadata? stale, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _headers;
            if (current is not null && !ReferenceEquals(current, stale))
            {
                return current;
            }

            AuthenticateResponse response;
            try
            {
                response = await authenticate(new AuthenticateRequest { Name = username, Password = password }, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.InvalidArgument or StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.FailedPrecondition)
            {
                throw new EtcdAuthenticationException(ex.StatusCode, $"etcd refused the credentials of user '{username}': {ex.Status.Detail}", ex);
            }

            var headers = new Metadata { { "token", response.Token } };
            Volatile.Write(ref _headers, headers);
            return headers;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
