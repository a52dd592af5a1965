using Bbs.Db;
using Bbs.Models;
using Bbs.Server.Http;

namespace Bbs.Server.Domains;

public static class DomainsApi
{
    public static RouteGroupBuilder MapDomainsApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/domains/list", Domains).WithName("Domains");
        v1.MapPost("/domains/upsert", UpsertDomain).WithName("UpsertDomain");
        return v1;
    }

    public static async Task<BbsResult<DomainsResponse>> Domains(IDb db, CancellationToken cancellationToken)
    {
        var response = new DomainsResponse();
        response.Domains.AddRange(await db.FreshDomainsAsync(cancellationToken));
        return response;
    }

    public static async Task<BbsResult<UpsertDomainResponse>> UpsertDomain(BbsRequest<UpsertDomainRequest> request, IDb db, CancellationToken cancellationToken)
    {
        await db.UpsertDomainAsync(request.Message.Domain, request.Message.Ttl, cancellationToken);
        return new UpsertDomainResponse();
    }
}
