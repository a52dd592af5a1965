using Bbs.Models;

namespace Bbs.Client;

public sealed partial class BbsClient
{
    /// <summary>The fresh domains. POST /v1/domains/list (Domains), empty body.</summary>
    public async Task<IReadOnlyList<string>> DomainsAsync(string? traceId = null, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync<DomainsResponse>(Routes.Domains, null, traceId, cancellationToken).ConfigureAwait(false);
        return response.Domains;
    }

    /// <summary>
    /// Creates a domain or renews its freshness for <paramref name="ttl"/> (whole seconds; zero = never expires).
    /// POST /v1/domains/upsert (UpsertDomain).
    /// </summary>
    public async Task UpsertDomainAsync(string domain, TimeSpan ttl, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new UpsertDomainRequest { Domain = domain, Ttl = Seconds32(ttl) };
        await CallAsync<UpsertDomainResponse>(Routes.UpsertDomain, request, traceId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A TTL in whole seconds, truncated as Go's <c>uint32(ttl.Seconds())</c>.</summary>
    private static uint Seconds32(TimeSpan ttl, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(ttl))] string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ttl, TimeSpan.Zero, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ttl, TimeSpan.FromSeconds(uint.MaxValue), name);
        return (uint)ttl.TotalSeconds;
    }
}
