using Microsoft.Extensions.Options;

namespace Bbs.Server.Hosting;

/// <summary>Rejects configurations the server cannot run with, at start-up rather than at first use.</summary>
internal sealed class BbsServerOptionsValidator : IValidateOptions<BbsServerOptions>
{
    public ValidateOptionsResult Validate(string? name, BbsServerOptions options)
    {
        var failures = new List<string>();
        if (!TryParseHostPort(options.ListenAddress))
        {
            failures.Add($"Bbs:listen_address is '{options.ListenAddress}'; valid: host:port, e.g. 127.0.0.1:8889");
        }

        if ((options.CertFile is null) != (options.KeyFile is null))
        {
            failures.Add($"Bbs:cert_file is '{options.CertFile}' and Bbs:key_file is '{options.KeyFile}'; valid: both set (TLS) or neither");
        }

        if (options.CaFile is not null && options.CertFile is null)
        {
            failures.Add($"Bbs:ca_file is '{options.CaFile}' without Bbs:cert_file; valid: ca_file only with cert_file and key_file (TLS)");
        }

        if (options.CaCrlFile is not null && options.CaFile is null)
        {
            failures.Add($"Bbs:ca_crl_file is '{options.CaCrlFile}' without Bbs:ca_file; valid: ca_crl_file only with ca_file (client certificate verification)");
        }

        CheckFiles(failures, ("ca_file", options.CaFile), ("cert_file", options.CertFile), ("key_file", options.KeyFile), ("ca_crl_file", options.CaCrlFile));
        if (options.MetricsAddress is { Length: > 0 } metrics && !TryParseHostPort(metrics))
        {
            failures.Add($"Bbs:metrics_address is '{metrics}'; valid: host:port, e.g. 127.0.0.1:8890");
        }

        if (options.OtlpEndpoint is { Length: > 0 } otlp && !IsHttpUrl(otlp))
        {
            failures.Add($"Bbs:otlp_endpoint is '{otlp}'; valid: an http:// or https:// URL");
        }

        if (options.Store == StoreKind.Etcd)
        {
            var endpoints = options.EtcdEndpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (endpoints.Length == 0)
            {
                failures.Add($"Bbs:etcd_endpoints is '{options.EtcdEndpoints}'; valid: at least one URL when store is etcd");
            }

            foreach (var e in endpoints)
            {
                if (!IsHttpUrl(e))
                {
                    failures.Add($"Bbs:etcd_endpoints has '{e}'; valid: comma-separated http:// or https:// URLs");
                }
            }

            if (string.IsNullOrEmpty(options.EtcdUsername) != string.IsNullOrEmpty(options.EtcdPassword))
            {
                failures.Add($"Bbs:etcd_username is '{options.EtcdUsername}' and Bbs:etcd_password is {(string.IsNullOrEmpty(options.EtcdPassword) ? "unset" : "set")}; valid: both set or neither");
            }

            if ((options.EtcdCertFile is null) != (options.EtcdKeyFile is null))
            {
                failures.Add($"Bbs:etcd_cert_file is '{options.EtcdCertFile}' and Bbs:etcd_key_file is '{options.EtcdKeyFile}'; valid: both set or neither");
            }

            CheckFiles(failures, ("etcd_ca_file", options.EtcdCaFile), ("etcd_cert_file", options.EtcdCertFile), ("etcd_key_file", options.EtcdKeyFile));
        }

        if (options.EtcdRetryBaseDelay <= TimeSpan.Zero)
        {
            failures.Add($"Bbs:etcd_retry_base_delay is '{options.EtcdRetryBaseDelay}'; valid: a positive duration such as 100ms");
        }
        else if (options.EtcdMaxReconnectDelay < options.EtcdRetryBaseDelay)
        {
            failures.Add($"Bbs:etcd_max_reconnect_delay is '{options.EtcdMaxReconnectDelay}'; valid: a duration no shorter than etcd_retry_base_delay ({options.EtcdRetryBaseDelay})");
        }

        if (options.HealthCheckTimeout <= TimeSpan.Zero)
        {
            failures.Add($"Bbs:health_check_timeout is '{options.HealthCheckTimeout}'; valid: a positive duration such as 2s");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckFiles(List<string> failures, params (string Key, string? Path)[] files)
    {
        foreach (var (key, path) in files)
        {
            if (path is not null && !File.Exists(path))
            {
                failures.Add($"Bbs:{key} is '{path}'; valid: a readable file (this one does not exist)");
            }
        }
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static bool TryParseHostPort(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0
            && int.TryParse(value.AsSpan(colon + 1), out var port)
            && port is >= 0 and <= 65535
            && Uri.CheckHostName(value[..colon].Trim('[', ']')) != UriHostNameType.Unknown;
    }
}
