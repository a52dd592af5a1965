using Bbs.Etcd;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Bbs.Server.Hosting;

/// <summary>Which storage backs the server.</summary>
public enum StoreKind
{
    /// <summary>The in-process store: etcd semantics, data in memory only. The default, for development.</summary>
    Embedded,

    /// <summary>A real etcd v3 cluster at <see cref="BbsServerOptions.EtcdEndpoints"/>.</summary>
    Etcd,
}

/// <summary>
/// Server configuration, bound from the <c>Bbs</c> section (also <c>BBS__*</c> environment variables and
/// <c>--Bbs:key=value</c> arguments). Keys are named after BBS's own configuration keys where one exists.
/// </summary>
public sealed class BbsServerOptions
{
    public const string SectionName = "Bbs";

    /// <summary>host:port the API listens on (BBS: listen_address).</summary>
    [Description("host:port the API listens on")]
    [ConfigurationKeyName("listen_address")]
    [Required]
    public string ListenAddress { get; set; } = "127.0.0.1:8889";

    [Description("embedded (in memory, gone when the process stops) or etcd")]
    [ConfigurationKeyName("store")]
    public StoreKind Store { get; set; } = StoreKind.Embedded;

    /// <summary>etcd client URLs, comma separated (BBS E16: -etcdCluster).</summary>
    [Description("comma-separated etcd client URLs (https:// for TLS)")]
    [ConfigurationKeyName("etcd_endpoints")]
    public string EtcdEndpoints { get; set; } = "http://127.0.0.1:2379";

    /// <summary>CA bundle used to verify etcd's certificate (BBS E16: -etcdCaFile).</summary>
    [Description("PEM CA bundle that verifies etcd's certificate")]
    [ConfigurationKeyName("etcd_ca_file")]
    public string? EtcdCaFile { get; set; }

    /// <summary>Client certificate presented to etcd, PEM (BBS E16: -etcdCertFile).</summary>
    [Description("PEM client certificate presented to etcd")]
    [ConfigurationKeyName("etcd_cert_file")]
    public string? EtcdCertFile { get; set; }

    /// <summary>Private key of <see cref="EtcdCertFile"/>, PEM (BBS E16: -etcdKeyFile).</summary>
    [Description("PEM private key of etcd_cert_file")]
    [ConfigurationKeyName("etcd_key_file")]
    public string? EtcdKeyFile { get; set; }

    /// <summary>
    /// etcd user for a cluster with authentication enabled (with <see cref="EtcdPassword"/>). The server authenticates,
    /// sends the token with every call and authenticates again when etcd drops it.
    /// </summary>
    [Description("etcd user, for a cluster with authentication enabled")]
    [ConfigurationKeyName("etcd_username")]
    public string? EtcdUsername { get; set; }

    /// <summary>Password of <see cref="EtcdUsername"/>. Never logged; prefer the environment (<c>Bbs__etcd_password</c>) to the command line.</summary>
    [Description("password of etcd_username; pass it through the environment (Bbs__etcd_password)")]
    [ConfigurationKeyName("etcd_password")]
    public string? EtcdPassword { get; set; }

    /// <summary>
    /// The first pause of the etcd client's retries and of every loop that reconnects while etcd is unreachable (the
    /// watch and lease keep-alive streams, the store view, the leader election); later pauses double, with jitter, up
    /// to <see cref="EtcdMaxReconnectDelay"/> (decision 69).
    /// </summary>
    [Description("first pause of etcd retries and of every reconnect loop (watch, lease keep-alive, store view, leader election); later pauses double, with jitter")]
    [ConfigurationKeyName("etcd_retry_base_delay")]
    public TimeSpan EtcdRetryBaseDelay { get; set; } = ReconnectBackoff.Default.BaseDelay;

    /// <summary>The longest pause between reconnect attempts while etcd is unreachable (the leader election's is at most <c>lock_retry_interval</c>).</summary>
    [Description("longest pause between reconnect attempts while etcd is unreachable (the leader election's is at most lock_retry_interval)")]
    [ConfigurationKeyName("etcd_max_reconnect_delay")]
    public TimeSpan EtcdMaxReconnectDelay { get; set; } = ReconnectBackoff.Default.MaxDelay;

    /// <summary>The backoff of every reconnect loop.</summary>
    public ReconnectBackoff Backoff() => new(EtcdRetryBaseDelay, EtcdMaxReconnectDelay);

    /// <summary>
    /// The server's certificate, PEM (BBS: cert_file). With <see cref="KeyFile"/> the API is served over TLS
    /// (1.2 or 1.3) instead of plain HTTP.
    /// </summary>
    [Description("serve the API over TLS (1.2/1.3) with this PEM certificate (with key_file)")]
    [ConfigurationKeyName("cert_file")]
    public string? CertFile { get; set; }

    /// <summary>Private key of <see cref="CertFile"/>, PEM (BBS: key_file).</summary>
    [Description("PEM private key of cert_file")]
    [ConfigurationKeyName("key_file")]
    public string? KeyFile { get; set; }

    /// <summary>
    /// CA bundle, PEM (BBS: ca_file). With TLS on, every client must present a certificate issued by one of
    /// these CAs (mutual TLS, as NEW's BBS always requires).
    /// </summary>
    [Description("with TLS: require client certificates issued by this PEM CA bundle (mutual TLS)")]
    [ConfigurationKeyName("ca_file")]
    public string? CaFile { get; set; }

    /// <summary>
    /// Certificate revocation lists, PEM (<c>X509 CRL</c> blocks) or one DER CRL, each signed by a CA of
    /// <see cref="CaFile"/>. A client certificate they revoke (or whose intermediate they revoke) fails the handshake.
    /// The file is read at start and again whenever it changes; a change that does not read keeps the last good lists.
    /// Certificates of an issuer with no CRL in the file are not checked for revocation.
    /// </summary>
    [ConfigurationKeyName("ca_crl_file")]
    [Description("with ca_file: PEM or DER CRLs signed by a CA of ca_file; a revoked client certificate fails the handshake (re-read when it changes)")]
    public string? CaCrlFile { get; set; }

    /// <summary>How long the readiness probe waits for the store before reporting it unreachable.</summary>
    [Description("how long /readyz waits for the store")]
    [ConfigurationKeyName("health_check_timeout")]
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Largest request body accepted; a larger one is answered 413 with the limit.</summary>
    [Description("a larger request body is answered HTTP 413 with the limit")]
    [ConfigurationKeyName("max_request_body_bytes")]
    [System.ComponentModel.DataAnnotations.Range(1024, 1024 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>API requests served at once (event streams and probes not counted); more are answered 503 with Retry-After.</summary>
    [Description("API requests served at once (event streams and probes not counted); more are answered 503")]
    [ConfigurationKeyName("max_requests_in_flight")]
    [System.ComponentModel.DataAnnotations.Range(1, 1_000_000)]
    public int MaxRequestsInFlight { get; set; } = 1000;

    /// <summary>Bulk list requests one client may have in flight at once; more are answered 503 with Retry-After.</summary>
    [Description("bulk list requests one client may have in flight; more are answered 503")]
    [ConfigurationKeyName("max_list_requests_per_client")]
    [System.ComponentModel.DataAnnotations.Range(1, 100_000)]
    public int MaxListRequestsPerClient { get; set; } = 4;

    /// <summary>
    /// host:port of a plain-HTTP listener serving only <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c>, apart from the
    /// API (as Diego's <c>health_address</c>), for scrapers and probes without client certificates. Empty: they are
    /// served on the API listener.
    /// </summary>
    [Description("host:port of a plain-HTTP listener for /metrics, /healthz and /readyz only")]
    [ConfigurationKeyName("metrics_address")]
    public string? MetricsAddress { get; set; }

    /// <summary>An OTLP endpoint (e.g. <c>http://collector:4317</c>) to export metrics and traces to. Empty: no export.</summary>
    [Description("export metrics and traces by OTLP to this collector URL")]
    [ConfigurationKeyName("otlp_endpoint")]
    public string? OtlpEndpoint { get; set; }

    /// <summary>How to reach <see cref="OtlpEndpoint"/>: <c>grpc</c> (port 4317) or <c>http/protobuf</c> (port 4318; the signal paths <c>/v1/traces</c> and <c>/v1/metrics</c> are added).</summary>
    [Description("OTLP transport: grpc (port 4317) or http/protobuf (port 4318)")]
    [ConfigurationKeyName("otlp_protocol")]
    [AllowedValues("grpc", "http/protobuf")]
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>
    /// The largest write request the store takes, in bytes as etcd receives it: etcd's <c>--max-request-bytes</c>
    /// (default 1.5 MiB). The embedded store enforces it as etcd does, and the etcd store refuses a larger request
    /// before sending it, so both answer the same <c>InvalidRequest</c>. Set it to the etcd cluster's value.
    /// </summary>
    [Description("the largest write request the store takes (etcd's --max-request-bytes), enforced alike by both stores")]
    [ConfigurationKeyName("max_request_bytes")]
    [System.ComponentModel.DataAnnotations.Range(1024, 64 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = Bbs.Store.StoreRequestTooLargeException.EtcdDefaultLimit;

    /// <summary>How long shutdown waits for in-flight requests (BBS: communication_timeout is 10s).</summary>
    [Description("how long shutdown waits for in-flight requests")]
    [ConfigurationKeyName("shutdown_timeout")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The least severe level logged (Diego's lager levels, and warn).</summary>
    [Description("the least severe log level written: debug, info, warn, error or fatal")]
    [ConfigurationKeyName("log_level")]
    [AllowedValues("debug", "info", "warn", "error", "fatal")]
    public string LogLevel { get; set; } = "info";

    /// <summary>
    /// How log lines are written to stdout: <c>json</c>, Serilog's compact JSON (CLEF: <c>@t</c>, <c>@mt</c>, <c>@l</c>,
    /// <c>@tr</c>, <c>@sp</c> and the properties, one message per line, nothing rendered twice), for collectors; or
    /// <c>text</c>, one readable line per event, for a terminal.
    /// </summary>
    [Description("json (Serilog's compact JSON lines, for collectors) or text (readable lines, for a terminal)")]
    [ConfigurationKeyName("log_format")]
    [AllowedValues("json", "text")]
    public string LogFormat { get; set; } = "json";

    /// <summary>The etcd endpoints parsed into URIs.</summary>
    public IReadOnlyList<Uri> EtcdEndpointUris() =>
        [.. EtcdEndpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(e => new Uri(e))];
}
