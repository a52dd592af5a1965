using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Bbs.Testing.Peers;

/// <summary>One request a fake peer received, recorded on arrival with the status it was (or will be) answered with.</summary>
/// <param name="Json">The body parsed as JSON, when it is JSON; detached from any document, safe to keep.</param>
public sealed record RecordedRequest(
    string Method,
    string Path,
    string? ContentType,
    string Body,
    JsonElement? Json,
    int StatusCode,
    DateTimeOffset ReceivedAt)
{
    /// <summary>The request's headers (the first value of each), e.g. to check a propagated trace.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>The subject of the client certificate the request came with (mutual TLS); null over plain HTTP.</summary>
    public string? ClientCertificateSubject { get; init; }
}

/// <summary>
/// Serves a fake peer over TLS with <paramref name="CertFile"/> and <paramref name="KeyFile"/> (PEM), requiring a
/// client certificate that chains to <paramref name="ClientCaFile"/>, as Diego's auctioneer and reps do.
/// </summary>
public sealed record FakePeerTls(string CertFile, string KeyFile, string ClientCaFile);

/// <summary>
/// A real HTTP server on 127.0.0.1 (a free port) standing in for a Diego peer. It records every request, known
/// route or not, and answers known routes with <see cref="StatusCode"/> unless <see cref="FailNext"/> scripted
/// otherwise; unknown routes get 404. Thread-safe; dispose to stop it.
/// </summary>
public abstract class FakePeer : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly Queue<int> _scripted = new();
    private TaskCompletionSource _changed = NewSignal();
    private TaskCompletionSource? _hold;
    private WebApplication? _app;
    private int _statusCode;

    protected FakePeer(int defaultStatusCode) => _statusCode = defaultStatusCode;

    /// <summary>The base URL, e.g. <c>http://127.0.0.1:41234</c>, or <c>https://</c> with TLS (no trailing slash).</summary>
    public string Url { get; private set; } = "";

    /// <summary>The status known routes are answered with once scripted answers are used up.</summary>
    public int StatusCode
    {
        get { lock (_gate) { return _statusCode; } }
        set { lock (_gate) { _statusCode = value; } }
    }

    /// <summary>Every request received so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get { lock (_gate) { return [.. _requests]; } }
    }

    /// <summary>Answers the next <paramref name="count"/> requests to known routes with <paramref name="statusCode"/>, then <see cref="StatusCode"/> again.</summary>
    public void FailNext(int count, int statusCode = 500)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _scripted.Enqueue(statusCode);
            }
        }
    }

    /// <summary>
    /// Holds every answer (requests are still recorded on arrival) until the returned handle is disposed: a peer
    /// that is slow, or hangs past a client's deadline.
    /// </summary>
    public IDisposable HoldResponses()
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _hold = hold;
        }

        return new Release(() =>
        {
            lock (_gate)
            {
                if (ReferenceEquals(_hold, hold))
                {
                    _hold = null;
                }
            }

            hold.TrySetResult();
        });
    }

    /// <summary>Waits for the first recorded request that matches; throws <see cref="TimeoutException"/> listing what arrived.</summary>
    public async Task<RecordedRequest> WaitForAsync(Func<RecordedRequest, bool> predicate, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        RecordedRequest? found = null;
        await WaitUntilAsync(requests => (found = requests.FirstOrDefault(predicate)) is not null, timeout, "a matching request");
        return found!;
    }

    /// <summary>Waits until <paramref name="count"/> recorded requests match (all requests when no predicate).</summary>
    public Task WaitForCountAsync(int count, Func<RecordedRequest, bool>? predicate = null, TimeSpan? timeout = null) =>
        WaitUntilAsync(requests => requests.Count(predicate ?? (_ => true)) >= count, timeout, $"{count} matching request(s)");

    /// <summary>Waits until <paramref name="condition"/> holds for the recorded requests; re-checked on every arrival.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<RecordedRequest>, bool> condition, TimeSpan? timeout = null, string? what = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            Task changed;
            IReadOnlyList<RecordedRequest> snapshot;
            lock (_gate)
            {
                changed = _changed.Task;
                snapshot = [.. _requests];
            }

            if (condition(snapshot))
            {
                return;
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                var seen = string.Join(Environment.NewLine, snapshot.Select(r => $"  {r.Method} {r.Path} -> {r.StatusCode} {r.Body}"));
                throw new TimeoutException($"{GetType().Name} did not receive {what ?? "the expected requests"}; received {snapshot.Count}:{Environment.NewLine}{seen}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _hold?.TrySetResult();
        }

        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Whether the fake serves <paramref name="method"/> <paramref name="path"/>, as the real peer's route table does.</summary>
    protected abstract bool IsKnownRoute(string method, string path);

    protected Task StartServerAsync(CancellationToken cancellationToken) => StartServerAsync(null, cancellationToken);

    /// <summary>Starts the server, over mutual TLS when <paramref name="tls"/> is given.</summary>
    protected async Task StartServerAsync(FakePeerTls? tls, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = GetType().Name });
        builder.WebHost.UseKestrelCore().UseUrls(tls is null ? "http://127.0.0.1:0" : "https://127.0.0.1:0");
        if (tls is not null)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(tls.ClientCaFile);
            builder.WebHost.UseKestrelHttpsConfiguration().ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ServerCertificate = X509Certificate2.CreateFromPemFile(tls.CertFile, tls.KeyFile);
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (certificate, _, _) => Tls.PrivateRoots.ChainsTo(certificate, roots);
            }));
        }

        _app = builder.Build();
        _app.Run(HandleAsync);
        await _app.StartAsync(cancellationToken);
        Url = _app.Urls.Single().TrimEnd('/');
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }

        var path = request.Path.Value ?? "/";
        Task? hold;
        int status;
        lock (_gate)
        {
            status = !IsKnownRoute(request.Method, path) ? StatusCodes.Status404NotFound
                : _scripted.Count > 0 ? _scripted.Dequeue()
                : _statusCode;
            _requests.Add(new RecordedRequest(request.Method, path, request.ContentType, body, ParseJson(body), status, DateTimeOffset.UtcNow)
            {
                Headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                ClientCertificateSubject = context.Connection.ClientCertificate?.Subject,
            });
            hold = _hold?.Task;
            _changed.TrySetResult();
            _changed = NewSignal();
        }

        if (hold is not null)
        {
            try
            {
                await hold.WaitAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // The client gave up.
            }
        }

        context.Response.StatusCode = status;
        if (status is >= 200 and < 300)
        {
            // The auctioneer and rep answer with an empty JSON object.
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{}", context.RequestAborted);
        }
    }

    private static JsonElement? ParseJson(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Release(Action release) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                release();
            }
        }
    }
}
