using System.Net.Http.Headers;
using Bbs.Models;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Polly;
using Polly.Timeout;

namespace Bbs.Client;

/// <summary>
/// A client for BBS's HTTP API with the operations of Diego's Go <c>bbs</c> client, speaking protobuf.
/// Each operation is one POST of the request message (an empty body for routes without one) with
/// <c>Content-Type: application/x-protobuf</c> and <c>X-Vcap-Request-Id</c> (the call's trace id, or a fresh one),
/// read the way the Go client reads it:
/// <list type="number">
/// <item>an <c>X-Cf-Routererror</c> header fails the call with RouterError(14) and the header's value;</item>
/// <item>a protobuf Content-Type is decoded whatever the status, and a set <c>error</c> field (field 1) fails the
/// call with that error;</item>
/// <item>otherwise a status above 299 fails with InvalidResponse(5) "Invalid Response with status code: N"
/// (404 included: Go's EndpointNotFoundErr is that error), and anything else is an empty success.</item>
/// </list>
/// Failures surface as <see cref="BbsException"/>. Like the Go client, a call is attempted up to
/// <see cref="BbsClientOptions.Retries"/> times, <see cref="BbsClientOptions.RetryDelay"/> apart, but only after a
/// transport failure, an attempt timeout or an undecodable body; never after an answer. Lifecycle calls are therefore
/// at-least-once, which BBS's handlers are built to tolerate. Thread-safe.
/// </summary>
public sealed partial class BbsClient : IDisposable
{
    public const string ProtobufContentType = "application/x-protobuf";
    public const string RouterErrorHeader = "X-Cf-Routererror";
    public const string RequestIdHeader = "X-Vcap-Request-Id";

    private readonly HttpClient _http;
    private readonly bool _ownsHttpClient;
    private readonly Uri _baseAddress;
    private readonly ResiliencePipeline _pipeline;
    private volatile bool _disposed;

    /// <summary>
    /// A client with its own HttpClient, built from <paramref name="options"/> (<see cref="BbsClientOptions.Url"/>
    /// is required; mutual TLS when a client certificate or CA is given). Disposing the client disposes it.
    /// </summary>
    public BbsClient(BbsClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _baseAddress = options.Url ?? throw new ArgumentException("Url is required when the client builds its own HttpClient.", nameof(options));
        _http = new HttpClient(BbsHttpHandler.Create(options), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _ownsHttpClient = true;
        _pipeline = RetryPipeline.Create(options);
    }

    /// <summary>
    /// A client over a caller-owned HttpClient (e.g. a test server's), which is left open on dispose.
    /// Requests go to <see cref="BbsClientOptions.Url"/> when set, else to the HttpClient's BaseAddress.
    /// The HttpClient's own Timeout still applies to each attempt; TLS is the HttpClient's business.
    /// </summary>
    public BbsClient(HttpClient httpClient, BbsClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        options ??= new BbsClientOptions();
        options.Validate();
        if (options.HasTls)
        {
            throw new ArgumentException("Certificates apply only to a client that builds its own HttpClient; configure the caller's handler instead.", nameof(options));
        }

        _baseAddress = options.Url ?? httpClient.BaseAddress
            ?? throw new ArgumentException("The HttpClient has no BaseAddress and the options no Url.", nameof(httpClient));
        _http = httpClient;
        _pipeline = RetryPipeline.Create(options);
    }

    /// <summary>
    /// True when the BBS answers and reports itself available. POST /v1/ping (Ping).
    /// False on any failure, e.g. connection refused while another BBS holds the lock (after the retries).
    /// </summary>
    public async Task<bool> PingAsync(string? traceId = null, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await SendAsync<PingResponse>(Routes.Ping, null, traceId, cancellationToken).ConfigureAwait(false);
            return response.Available;
        }
        catch (BbsException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_ownsHttpClient)
        {
            _http.Dispose();
        }
    }

    /// <summary>Sends the call and throws the response's in-band error, if it carries one.</summary>
    private async Task<TResponse> CallAsync<TResponse>(BbsRoute route, IMessage? request, string? traceId, CancellationToken cancellationToken)
        where TResponse : class, IMessage<TResponse>, new()
    {
        var response = await SendAsync<TResponse>(route, request, traceId, cancellationToken).ConfigureAwait(false);
        if (InBand<TResponse>.ErrorOf(response) is { } error)
        {
            throw new BbsException(error);
        }

        return response;
    }

    /// <summary>
    /// Sends the call through the retry pipeline and returns the decoded response without looking at its error.
    /// Throws <see cref="BbsException"/> for the router, status, transport, timeout and decoding failures.
    /// </summary>
    private async Task<TResponse> SendAsync<TResponse>(BbsRoute route, IMessage? request, string? traceId, CancellationToken cancellationToken)
        where TResponse : class, IMessage<TResponse>, new()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var call = new Call(this, route, request?.ToByteArray() ?? [], string.IsNullOrEmpty(traceId) ? NewTraceId() : traceId);
        try
        {
            return await _pipeline.ExecuteAsync(
                static (call, token) => call.Client.AttemptAsync<TResponse>(call, token), call, cancellationToken).ConfigureAwait(false);
        }
        catch (UndecodableResponseException ex)
        {
            throw new BbsException(ex.Error, ex.InnerException);
        }
        catch (TimeoutRejectedException ex)
        {
            throw BbsException.Of(Error.Types.Type.Timeout, $"{route.Path} timed out after {ex.Timeout}", ex);
        }
        catch (TaskCanceledException ex) when (ex.InnerException is TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            throw BbsException.Of(Error.Types.Type.Timeout, ex.Message, ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw BbsException.Of(Error.Types.Type.UnknownError, ex.Message, ex);
        }
    }

    /// <summary>One attempt. Failures the pipeline retries escape as they are; answers become results or BbsExceptions.</summary>
    private async ValueTask<TResponse> AttemptAsync<TResponse>(Call call, CancellationToken cancellationToken)
        where TResponse : class, IMessage<TResponse>, new()
    {
        using var request = new HttpRequestMessage(HttpMethod.Parse(call.Route.Method), new Uri(_baseAddress, call.Route.Path))
        {
            Content = new ByteArrayContent(call.Body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(ProtobufContentType);
        request.Headers.TryAddWithoutValidation(RequestIdHeader, call.TraceId);

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Headers.TryGetValues(RouterErrorHeader, out var routerError))
        {
            throw BbsException.Of(Error.Types.Type.RouterError, routerError.FirstOrDefault() ?? string.Empty);
        }

        if (string.Equals(response.Content.Headers.ContentType?.MediaType, ProtobufContentType, StringComparison.OrdinalIgnoreCase))
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return Decode<TResponse>(body);
        }

        var status = (int)response.StatusCode;
        if (status > 299)
        {
            throw BbsException.Of(Error.Types.Type.InvalidResponse, $"Invalid Response with status code: {status}");
        }

        return new TResponse();
    }

    private static TResponse Decode<TResponse>(byte[] body)
        where TResponse : class, IMessage<TResponse>, new()
    {
        try
        {
            return InBand<TResponse>.Parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new UndecodableResponseException(
                new Error { Type = Error.Types.Type.InvalidProtobufMessage, Message = $"failed to unmarshal proto: {ex.Message}" }, ex);
        }
    }

    /// <summary>A getter's payload, which a successful answer must carry.</summary>
    private static T Required<T>(T? value, string field)
        where T : class =>
        value ?? throw BbsException.Of(Error.Types.Type.InvalidResponse, $"the response carries no {field}");

    private static string NewTraceId() => Guid.NewGuid().ToString("N");

    private readonly record struct Call(BbsClient Client, BbsRoute Route, byte[] Body, string TraceId);

    /// <summary>Every BBS response except PingResponse carries its error in field 1; found once per type.</summary>
    private static class InBand<T>
        where T : class, IMessage<T>, new()
    {
        public static readonly MessageParser<T> Parser = new(static () => new T());

        private static readonly IFieldAccessor? ErrorField = FindErrorField(new T().Descriptor);

        public static Error? ErrorOf(T response) => (Error?)ErrorField?.GetValue(response);

        private static IFieldAccessor? FindErrorField(MessageDescriptor descriptor) =>
            descriptor.FindFieldByNumber(1) is { FieldType: FieldType.Message } field && field.MessageType == Error.Descriptor
                ? field.Accessor
                : null;
    }
}
