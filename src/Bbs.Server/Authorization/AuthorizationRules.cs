using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Bbs.Server.Authorization;

/// <summary>Who is calling: the role its certificate earned (null: none) and the cell it speaks for.</summary>
/// <param name="Identity">The name that matched a rule, else the certificate's first name, else "no certificate".</param>
public sealed record Caller(BbsRole? Role, string Identity, string? CellId)
{
    /// <summary>The role as the <c>role</c> tag of <c>bbs_requests_denied</c>: lower case, <c>none</c> without one.</summary>
    public string RoleTag => Role is { } role ? RoleTags.Of(role) : RoleTags.None;
}

internal static class RoleTags
{
    public const string None = "none";

    public static string Of(BbsRole role) => role switch
    {
        BbsRole.Admin => "admin",
        BbsRole.Scheduler => "scheduler",
        BbsRole.Cell => "cell",
        _ => "reader",
    };
}

/// <summary>
/// The configured rules, compiled once: a certificate's role is the role of the first rule that one of its names
/// matches. Resolved once per certificate (a connection presents the same one on every request).
/// </summary>
public sealed class AuthorizationRules
{
    private readonly (Regex Pattern, BbsRole Role)[] rules;
    private readonly ConditionalWeakTable<X509Certificate2, Caller> callers = [];

    public AuthorizationRules(IOptions<BbsAuthorizationOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        rules = [.. options.Value.Rules.Select(r => (Wildcard(r.Identity), r.Role))];
    }

    public Caller Resolve(X509Certificate2? certificate) =>
        certificate is null ? new Caller(null, "no certificate", null) : callers.GetValue(certificate, Match);

    /// <summary><c>*</c> matches any run of characters (none included); every other character only itself.</summary>
    internal static Regex Wildcard(string identity) =>
        new("^" + Regex.Escape(identity).Replace(@"\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant | RegexOptions.Singleline);

    private Caller Match(X509Certificate2 certificate)
    {
        var identity = ClientIdentity.From(certificate);
        foreach (var (pattern, role) in rules)
        {
            if (identity.Names.FirstOrDefault(pattern.IsMatch) is { } name)
            {
                return new Caller(role, name, identity.CellId);
            }
        }

        return new Caller(null, identity.Names.Count > 0 ? identity.Names[0] : certificate.Subject, identity.CellId);
    }
}
