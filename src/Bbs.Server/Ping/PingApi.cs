using Bbs.Models;
using Bbs.Server.Http;

namespace Bbs.Server.Ping;

public static class PingApi
{
    public static RouteGroupBuilder MapPingApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/ping", Ping).WithName("Ping");
        return v1;
    }

    /// <summary>Answers PingResponse{available: true}; BBS's routes "without a request" ignore the body.</summary>
    public static BbsResult<PingResponse> Ping() => new PingResponse { Available = true };
}
