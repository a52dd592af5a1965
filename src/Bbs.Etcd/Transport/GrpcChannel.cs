using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace Bbs.Etcd.Transport;

/// <summary>
/// gRPC over HttpClient: HTTP/2 cleartext with prior knowledge for http:// endpoints, HTTP/2 over TLS (ALPN h2)
/// for https:// ones, all through one <see cref="SocketsHttpHandler"/>. Unary calls and duplex streams.
/// </summary>
internal sealed class GrpcChannel : IDisposable
{
    private static readonly MediaTypeHeaderValue GrpcContentType = new("application/grpc");

    private readonly HttpMessageInvoker _invoker;
    private readonly TimeSpan _requestTimeout;
    private readonly int _maxReceiveMessageBytes;

    public GrpcChannel(EtcdClientOptions options, ILogger logger)
    {
        Endpoints = new EndpointPool([.. options.Endpoints.Select(e => new Uri(e.GetLeftPart(UriPartial.Authority)))], logger);
        _requestTimeout = options.RequestTimeout;
        _maxReceiveMessageBytes = options.MaxReceiveMessageBytes;
        _invoker = new HttpMessageInvoker(CreateHandler(options), disposeHandler: true);
    }

    public EndpointPool Endpoints { get; }

    public void Dispose() => _invoker.Dispose();

    /// <summary>
    /// One unary call. Without <paramref name="endpoint"/> it starts at the current endpoint and, when a connection
    /// cannot even be opened (so nothing was sent), moves on to the next one, at most once around the pool.
    /// Other transport failures and missed deadlines (a member that accepts connections but never answers) move
    /// the pool on too, but are thrown: whether to retry is the caller's decision.
    /// </summary>
    public async Task<TResponse> UnaryAsync<TResponse>(string path, IMessage request, MessageParser<TResponse> parser, Uri? endpoint, CancellationToken cancellationToken)
        where TResponse : class, IMessage<TResponse>
    {
        byte[] frame = GrpcFraming.Encode(request);
        if (endpoint is not null)
        {
            return await UnaryOnceAsync(endpoint, path, frame, parser, cancellationToken).ConfigureAwait(false);
        }

        for (int attempt = 1; ; attempt++)
        {
            var current = Endpoints.Current;
            try
            {
                return await UnaryOnceAsync(current, path, frame, parser, cancellationToken).ConfigureAwait(false);
            }
            catch (EtcdUnavailableException ex)
            {
                Endpoints.ReportFailure(current, ex);
                if (!ex.RequestNotSent || attempt >= Endpoints.Count)
                {
                    throw;
                }
            }
            catch (EtcdDeadlineExceededException ex)
            {
                Endpoints.ReportFailure(current, ex);
                throw;
            }
        }
    }

    /// <summary>
    /// Starts a bidirectional stream: sends the request headers and returns once etcd answered with response
    /// headers (grpc-go sends them with the first response message, so queue a request first).
    /// </summary>
    public async Task<DuplexCall<TRequest, TResponse>> StartDuplexAsync<TRequest, TResponse>(Uri endpoint, string path, MessageParser<TResponse> parser, Action<DuplexCall<TRequest, TResponse>> beforeStart, CancellationToken cancellationToken)
        where TRequest : IMessage
        where TResponse : class, IMessage<TResponse>
    {
        var call = new DuplexCall<TRequest, TResponse>(endpoint, parser, _maxReceiveMessageBytes, cancellationToken);
        try
        {
            beforeStart(call);
            var request = CreateRequest(endpoint, path, call.Content, timeout: null);

            // etcd's "require leader": the stream is closed (Unavailable) when the member loses its leader,
            // instead of silently serving a partitioned member's stale view.
            request.Headers.TryAddWithoutValidation("hasleader", "true");
            await call.StartAsync(_invoker, request).ConfigureAwait(false);
            return call;
        }
        catch
        {
            await call.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<TResponse> UnaryOnceAsync<TResponse>(Uri endpoint, string path, byte[] frame, MessageParser<TResponse> parser, CancellationToken cancellationToken)
        where TResponse : class, IMessage<TResponse>
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_requestTimeout);
        var content = new ByteArrayContent(frame);
        content.Headers.ContentType = GrpcContentType;
        using var request = CreateRequest(endpoint, path, content, _requestTimeout);
        try
        {
            using var response = await _invoker.SendAsync(request, deadline.Token).ConfigureAwait(false);
            GrpcStatus.EnsureResponseHeaders(response);
            var body = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                var reader = new GrpcFrameReader(body, _maxReceiveMessageBytes);
                var message = await reader.ReadAsync(parser, deadline.Token).ConfigureAwait(false);

                // Read to the end of the body: the trailers, with the real status, come after the message.
                while (message is not null && await reader.ReadAsync(parser, deadline.Token).ConfigureAwait(false) is not null)
                {
                }

                var (code, text) = GrpcStatus.ReadFinal(response);
                if (code != GrpcStatusCode.OK)
                {
                    throw GrpcStatus.ToException(code, text);
                }

                return message ?? throw new EtcdException(GrpcStatusCode.Internal, $"etcd answered {path} with status OK but no message");
            }
        }
        catch (Exception ex) when (GrpcStatus.FromTransport(ex, endpoint, cancellationToken, deadline.Token) is { } mapped)
        {
            throw mapped;
        }
    }

    internal static HttpRequestMessage CreateRequest(Uri endpoint, string path, HttpContent content, TimeSpan? timeout)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (timeout is { } t)
        {
            // grpc-timeout allows at most 8 digits.
            long millis = Math.Clamp((long)Math.Ceiling(t.TotalMilliseconds), 1, 99_999_999);
            request.Headers.TryAddWithoutValidation("grpc-timeout", millis.ToString(CultureInfo.InvariantCulture) + "m");
        }

        return request;
    }

    internal static void SetGrpcContentType(HttpContent content) => content.Headers.ContentType = GrpcContentType;

    private static SocketsHttpHandler CreateHandler(EtcdClientOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = options.ConnectTimeout,
            KeepAlivePingDelay = options.KeepAlivePingDelay,
            KeepAlivePingTimeout = options.KeepAlivePingTimeout,

            // Ping only while calls are open: etcd counts pings on idle connections as abuse (GOAWAY too_many_pings).
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
        };

        if (options.CaFile is not null || options.CertFile is not null)
        {
            handler.SslOptions = CreateSslOptions(options);
        }

        return handler;
    }

    private static SslClientAuthenticationOptions CreateSslOptions(EtcdClientOptions options)
    {
        var ssl = new SslClientAuthenticationOptions();
        if (options.CertFile is not null && options.KeyFile is not null)
        {
            var certificate = X509Certificate2.CreateFromPemFile(options.CertFile, options.KeyFile);
            if (OperatingSystem.IsWindows())
            {
                // SChannel cannot use the ephemeral key of a PEM-loaded certificate; a PKCS#12 round trip persists it.
                using var ephemeral = certificate;
                certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
            }

            ssl.ClientCertificates = [certificate];
        }

        if (options.CaFile is not null)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(options.CaFile);
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) => IsTrusted(certificate, errors, roots);
        }

        return ssl;
    }

    private static bool IsTrusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (certificate is not X509Certificate2 leaf || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }
}
