using Microsoft.Extensions.Options;

namespace Bbs.Peers;

/// <summary>Rejects peer settings the clients cannot work with, at start-up rather than at the first auction.</summary>
internal sealed class PeerOptionsValidator : IValidateOptions<AuctioneerOptions>, IValidateOptions<RepClientOptions>
{
    // Polly's timeout strategy accepts 10 ms to one day.
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, AuctioneerOptions options)
    {
        var failures = new List<string>();
        if (options.IsConfigured && !IsHttpUrl(options.Address!))
        {
            failures.Add($"auctioneer_address '{options.Address}' must be an http:// or https:// URL");
        }

        if (options.BatchWindow < TimeSpan.Zero || options.BatchWindow > TimeSpan.FromMinutes(1))
        {
            failures.Add("auction_batch_window must be between 0 and 1 minute");
        }

        if (options.MaxBatchSize < 1)
        {
            failures.Add("auction_max_batch_size must be at least 1");
        }

        if (options.QueueCapacity < 1)
        {
            failures.Add("auction_queue_capacity must be at least 1");
        }

        if (options.QueueFullWait < TimeSpan.Zero)
        {
            failures.Add("auction_queue_full_wait must not be negative");
        }

        CheckTls(failures, "auctioneer", options.CaCert, options.ClientCert, options.ClientKey, options.RequireTls);
        if (options.RequireTls && options.IsConfigured && !options.Address!.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add("auctioneer_require_tls needs an https:// auctioneer_address");
        }

        CheckRetrying(failures, "auctioneer", options.RequestTimeout, options.MaxRetries, options.RetryBaseDelay);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public ValidateOptionsResult Validate(string? name, RepClientOptions options)
    {
        var failures = new List<string>();
        CheckTls(failures, "rep", options.CaCert, options.ClientCert, options.ClientKey, options.RequireTls);
        CheckRetrying(failures, "rep", options.RequestTimeout, options.MaxRetries, options.RetryBaseDelay);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckTls(List<string> failures, string peer, string? ca, string? cert, string? key, bool requireTls)
    {
        var given = new[] { ca, cert, key }.Count(f => f is not null);
        if (given is not 0 and not 3)
        {
            failures.Add($"{peer}_ca_cert, {peer}_client_cert and {peer}_client_key must be given together");
        }
        else if (given == 0 && requireTls)
        {
            failures.Add($"{peer}_require_tls needs {peer}_ca_cert, {peer}_client_cert and {peer}_client_key");
        }

        foreach (var file in new[] { ca, cert, key })
        {
            if (file is not null && !File.Exists(file))
            {
                failures.Add($"file '{file}' does not exist");
            }
        }
    }

    private static void CheckRetrying(List<string> failures, string peer, TimeSpan timeout, int maxRetries, TimeSpan baseDelay)
    {
        if (timeout < MinTimeout || timeout > MaxTimeout)
        {
            failures.Add($"communication_timeout must be between {MinTimeout} and {MaxTimeout}");
        }

        if (maxRetries is < 0 or > 100)
        {
            failures.Add($"{peer}_max_retries must be between 0 and 100");
        }

        if (baseDelay < TimeSpan.Zero || baseDelay > MaxTimeout)
        {
            failures.Add($"{peer}_retry_base_delay must be between 0 and {MaxTimeout}");
        }
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
