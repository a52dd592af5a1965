using System.ComponentModel;
using Bbs.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Bbs.Server.Authorization;

/// <summary>What a client may do (see <see cref="RoutePermissions"/> for the routes each permission opens).</summary>
public enum BbsRole
{
    /// <summary>Every route (operators; also the auctioneer, which fails LRPs and tasks it cannot place).</summary>
    Admin,

    /// <summary>Cloud Controller, nsync: desired LRPs, tasks, domains, retire; every read and event stream.</summary>
    Scheduler,

    /// <summary>A rep: lifecycle calls for its own cell only, its own presence; every read and event stream.</summary>
    Cell,

    /// <summary>Operators' tools, dashboards, route emitters: reads and event streams only.</summary>
    Reader,
}

/// <summary>One rule: a client whose certificate carries <see cref="Identity"/> has <see cref="Role"/>.</summary>
public sealed class AuthorizationRule
{
    /// <summary>Matched exactly (case-sensitive) against the subject CN and every SAN DNS name and URI; <c>*</c> matches any run of characters.</summary>
    [ConfigurationKeyName("identity")]
    [Description("a certificate name (CN, SAN DNS or URI) this rule matches; * is a wildcard")]
    public string Identity { get; set; } = string.Empty;

    [ConfigurationKeyName("role")]
    [Description("admin, scheduler, cell or reader")]
    public BbsRole Role { get; set; } = BbsRole.Reader;
}

/// <summary>
/// Per-identity authorization, bound from <c>Bbs:authorization</c>. Off by default: then any client the TLS
/// handshake accepted may call every route (NEW's BBS).
/// </summary>
public sealed class BbsAuthorizationOptions
{
    public const string SectionName = "authorization";

    [ConfigurationKeyName("enabled")]
    [Description("authorize each /v1 call by the client certificate's identity (needs ca_file)")]
    public bool Enabled { get; set; }

    /// <summary>In order: the first rule matching one of the certificate's names gives the role.</summary>
    [ConfigurationKeyName("rules")]
    [Description("ordered {identity, role} rules; the first match decides, no match is 403")]
    public IList<AuthorizationRule> Rules { get; } = [];
}

/// <summary>Refuses, at start, an authorization configuration that could only refuse every client.</summary>
internal sealed class BbsAuthorizationOptionsValidator(IOptions<BbsServerOptions> server) : IValidateOptions<BbsAuthorizationOptions>
{
    public ValidateOptionsResult Validate(string? name, BbsAuthorizationOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (server.Value.CaFile is null)
        {
            failures.Add("authorization:enabled needs ca_file (and cert_file, key_file): identities come from client certificates");
        }

        if (options.Rules.Count == 0)
        {
            failures.Add("authorization:enabled needs at least one rule in authorization:rules");
        }

        for (int i = 0; i < options.Rules.Count; i++)
        {
            var rule = options.Rules[i];
            if (string.IsNullOrWhiteSpace(rule.Identity))
            {
                failures.Add($"authorization:rules:{i}:identity is empty");
            }

            if (!Enum.IsDefined(rule.Role))
            {
                failures.Add($"authorization:rules:{i}:role must be admin, scheduler, cell or reader");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
