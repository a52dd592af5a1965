using System.Diagnostics.Metrics;
using Bbs.Server.Metrics;

namespace Bbs.Server.Authorization;

/// <summary>
/// Calls refused by authorization, by role (<c>none</c>: no certificate or no matching rule) and BBS route name
/// (meter "Bbs.Server", counter <c>bbs_requests_denied</c>). Every pair that can be refused starts at 0, so the first
/// refusal is an increase a rate or alert sees.
/// </summary>
internal sealed class AuthorizationMetrics
{
    private readonly Counter<long> denied;

    public AuthorizationMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        denied = meters.Create(Telemetry.MeterName).CreateCounter<long>("bbs_requests_denied", description: "calls refused by authorization, by role and BBS route name");
        foreach (var (route, permission) in RoutePermissions.ByRoute)
        {
            Denied(RoleTags.None, route, 0);
            foreach (var role in Enum.GetValues<BbsRole>())
            {
                if (!role.Holds(permission) || (role == BbsRole.Cell && permission == Permission.OwnCell))
                {
                    Denied(RoleTags.Of(role), route, 0);
                }
            }
        }
    }

    public void Denied(string role, string route, long count = 1) =>
        denied.Add(count, new KeyValuePair<string, object?>("role", role), new KeyValuePair<string, object?>("route", route));
}
