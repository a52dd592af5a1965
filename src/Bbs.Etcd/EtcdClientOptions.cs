namespace Bbs.Etcd;

/// <summary>
/// How <see cref="EtcdClient"/> reaches etcd. Bindable from configuration; <see cref="Validate"/> lists what is wrong.
/// </summary>
public sealed class EtcdClientOptions
{
    /// <summary>
    /// Client URLs of the cluster's members, e.g. <c>http://10.0.0.1:2379</c>, all of one scheme. Calls are spread
    /// over the members that are reachable (round robin); one that fails is left out until it answers again.
    /// <c>http://</c> uses HTTP/2 cleartext (prior knowledge), <c>https://</c> uses TLS.
    /// </summary>
    public List<Uri> Endpoints { get; set; } = [];

    /// <summary>PEM file of the CA that signed the servers' certificates. When unset, the system trust store is used.</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM file of the client certificate for clusters that require client authentication (with <see cref="KeyFile"/>).</summary>
    public string? CertFile { get; set; }

    /// <summary>PEM file of the client certificate's private key.</summary>
    public string? KeyFile { get; set; }

    /// <summary>
    /// etcd user for clusters with authentication enabled (with <see cref="Password"/>). The client authenticates
    /// once, sends the token with every call and stream, and authenticates again when etcd reports the token
    /// invalid (expired, or etcd restarted).
    /// </summary>
    public string? Username { get; set; }

    /// <summary>The password of <see cref="Username"/>. Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>How long opening a TCP (and TLS) connection to one endpoint may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Deadline of one attempt of a unary call, sent to etcd as <c>grpc-timeout</c>.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Idle time after which HTTP/2 pings check a connection with open calls (watches, keep-alives). etcd rejects
    /// pings more frequent than its <c>--grpc-keepalive-min-time</c> (5s by default), so keep this above it.
    /// </summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a ping may go unanswered before the connection is considered dead and closed.</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Retries of an idempotent call after a transient failure (so at most 1 + this many attempts).</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First retry delay; later delays grow exponentially with jitter, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Upper bound of one retry delay of a call, and of the channel's own reconnect backoff (TCP connects to a member).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Upper bound of the pause between attempts to reopen the watch and keep-alive streams while etcd is unreachable.
    /// The pauses start at <see cref="RetryBaseDelay"/> and double, with jitter (<see cref="ReconnectBackoff"/>); a
    /// stream that waits also stops waiting as soon as the channel connects to a member again.
    /// </summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The backoff of the stream reconnect loops: <see cref="RetryBaseDelay"/> doubling to <see cref="MaxReconnectDelay"/>.</summary>
    public ReconnectBackoff ReconnectBackoff => new(RetryBaseDelay, MaxReconnectDelay);

    /// <summary>Watch responses buffered per watch before the watch stream waits for the consumer (backpressure).</summary>
    public int WatchBufferCapacity { get; set; } = 256;

    /// <summary>Largest response message accepted, in bytes.</summary>
    public int MaxReceiveMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>The problems that make these options unusable; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Endpoints is null || Endpoints.Count == 0)
        {
            errors.Add("Endpoints: at least one etcd client URL is required.");
        }
        else
        {
            foreach (var endpoint in Endpoints)
            {
                if (endpoint is null || !endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
                {
                    errors.Add($"Endpoints: '{endpoint}' is not an absolute http:// or https:// URL.");
                }
                else if (endpoint.AbsolutePath != "/" || !string.IsNullOrEmpty(endpoint.Query))
                {
                    errors.Add($"Endpoints: '{endpoint}' must not have a path or query.");
                }
            }
        }

        if (Endpoints is { Count: > 1 } && Endpoints.Where(e => e is { IsAbsoluteUri: true }).Select(e => e.Scheme).Distinct().Count() > 1)
        {
            errors.Add("Endpoints: mix http:// and https:// URLs; use one scheme for the whole cluster.");
        }

        if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password))
        {
            errors.Add("Username and Password must be set together.");
        }

        if (CertFile is null != KeyFile is null)
        {
            errors.Add("CertFile and KeyFile must be set together.");
        }

        foreach (var (name, path) in new[] { (nameof(CaFile), CaFile), (nameof(CertFile), CertFile), (nameof(KeyFile), KeyFile) })
        {
            if (path is not null && !File.Exists(path))
            {
                errors.Add($"{name}: file '{path}' does not exist.");
            }
        }

        RequirePositive(errors, nameof(ConnectTimeout), ConnectTimeout);
        RequirePositive(errors, nameof(RequestTimeout), RequestTimeout);
        RequirePositive(errors, nameof(KeepAlivePingDelay), KeepAlivePingDelay);
        RequirePositive(errors, nameof(KeepAlivePingTimeout), KeepAlivePingTimeout);
        RequirePositive(errors, nameof(RetryBaseDelay), RetryBaseDelay);
        RequirePositive(errors, nameof(MaxRetryDelay), MaxRetryDelay);
        if (MaxReconnectDelay < RetryBaseDelay)
        {
            errors.Add("MaxReconnectDelay must not be shorter than RetryBaseDelay.");
        }
        if (MaxRetryAttempts < 0)
        {
            errors.Add("MaxRetryAttempts must not be negative.");
        }

        if (WatchBufferCapacity < 1)
        {
            errors.Add("WatchBufferCapacity must be at least 1.");
        }

        if (MaxReceiveMessageBytes < 1024)
        {
            errors.Add("MaxReceiveMessageBytes must be at least 1024.");
        }

        return errors;
    }

    private static void RequirePositive(List<string> errors, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{name} must be positive.");
        }
    }
}
