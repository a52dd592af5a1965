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
            failures.Add($"listen_address '{options.ListenAddress}' must be host:port");
        }

        if ((options.CertFile is null) != (options.KeyFile is null))
        {
            failures.Add("cert_file and key_file must be given together");
        }

        if (options.CaFile is not null && options.CertFile is null)
        {
            failures.Add("ca_file (client certificate verification) needs cert_file and key_file (TLS)");
        }

        if (options.CaCrlFile is not null && options.CaFile is null)
        {
            failures.Add("ca_crl_file (client certificate revocation) needs ca_file (client certificate verification)");
        }

        foreach (var file in new[] { options.CaFile, options.CertFile, options.KeyFile, options.CaCrlFile })
        {
            if (file is not null && !File.Exists(file))
            {
                failures.Add($"file '{file}' does not exist");
            }
        }

        if (options.Store == StoreKind.Etcd)
        {
            var endpoints = options.EtcdEndpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (endpoints.Length == 0)
            {
                failures.Add("etcd_endpoints must name at least one URL when store is etcd");
            }

            foreach (var e in endpoints)
            {
                if (!Uri.TryCreate(e, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    failures.Add($"etcd endpoint '{e}' must be an http:// or https:// URL");
                }
            }

            if (string.IsNullOrEmpty(options.EtcdUsername) != string.IsNullOrEmpty(options.EtcdPassword))
            {
                failures.Add("etcd_username and etcd_password must be given together");
            }

            if ((options.EtcdCertFile is null) != (options.EtcdKeyFile is null))
            {
                failures.Add("etcd_cert_file and etcd_key_file must be given together");
            }

            foreach (var file in new[] { options.EtcdCaFile, options.EtcdCertFile, options.EtcdKeyFile })
            {
                if (file is not null && !File.Exists(file))
                {
                    failures.Add($"file '{file}' does not exist");
                }
            }
        }

        if (options.HealthCheckTimeout <= TimeSpan.Zero)
        {
            failures.Add("health_check_timeout must be positive");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool TryParseHostPort(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0
            && int.TryParse(value.AsSpan(colon + 1), out var port)
            && port is >= 0 and <= 65535
            && Uri.CheckHostName(value[..colon].Trim('[', ']')) != UriHostNameType.Unknown;
    }
}
