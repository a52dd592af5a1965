using Bbs.Server.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bbs.Server.Tests.Authorization;

/// <summary>Rule matching, certificate names and the route table, without a server where none is needed.</summary>
public sealed class AuthorizationRulesTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "bbs-authz-rules-" + Guid.NewGuid().ToString("N"));
    private readonly AuthorizationPki pki;

    public AuthorizationRulesTests() => pki = new AuthorizationPki(dir);

    public void Dispose()
    {
        pki.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    [Theory]
    [InlineData("cell-*", "cell-1", true)]
    [InlineData("cell-*", "cell-", true)]
    [InlineData("cell-*", "xcell-1", false)]
    [InlineData("*.service.cf.internal", "cc.service.cf.internal", true)]
    [InlineData("cc.service.cf.internal", "ccxservice.cf.internal", false)]
    [InlineData("cell-?", "cell-1", false)]
    [InlineData("Cell-1", "cell-1", false)]
    [InlineData("*", "anything at all", true)]
    public void AWildcardIsTheOnlySpecialCharacterAndMatchingIsExact(string identity, string name, bool matches) =>
        Assert.Equal(matches, AuthorizationRules.Wildcard(identity).IsMatch(name));

    [Fact]
    public void ACertificateAnswersToItsCommonNameDnsNamesAndUrisAndNamesItsCellByUri()
    {
        using var certificate = pki.Client("rep", dnsNames: ["rep.service.cf.internal"], uris: ["spiffe://cf/rep", "bbs-cell:cell-z2-4"]);

        var identity = ClientIdentity.From(certificate);

        Assert.Equal(["rep", "rep.service.cf.internal", "spiffe://cf/rep", "bbs-cell:cell-z2-4"], identity.Names);
        Assert.Equal("cell-z2-4", identity.CellId);
    }

    [Fact]
    public void WithoutACellUriTheCellIsTheCommonName() =>
        Assert.Equal("cell-3", ClientIdentity.From(pki.Client("cell-3", dnsNames: ["cell-3.example"])).CellId);

    [Fact]
    public void TheRoleIsTheFirstMatchingRulesAndNoMatchIsNoRole()
    {
        var options = new BbsAuthorizationOptions { Enabled = true };
        options.Rules.Add(new AuthorizationRule { Identity = "rep.service.cf.internal", Role = BbsRole.Reader });
        options.Rules.Add(new AuthorizationRule { Identity = "bbs-cell:*", Role = BbsRole.Cell });
        var rules = new AuthorizationRules(Options.Create(options));

        var rep = rules.Resolve(pki.Client("rep", dnsNames: ["rep.service.cf.internal"], uris: ["bbs-cell:cell-9"]));
        var cell = rules.Resolve(pki.Client("rep", uris: ["bbs-cell:cell-9"]));
        var nobody = rules.Resolve(pki.Client("nobody"));

        Assert.Equal(BbsRole.Reader, rep.Role);
        Assert.Equal((BbsRole.Cell, "bbs-cell:cell-9", "cell-9"), (cell.Role!.Value, cell.Identity, cell.CellId!));
        Assert.Null(nobody.Role);
        Assert.Equal("none", nobody.RoleTag);
        Assert.Null(rules.Resolve(null).Role);
    }

    [Fact]
    public async Task EveryV1RouteHasAPermissionInTheTable()
    {
        await using var factory = new Support.BbsServerFactory(new Dictionary<string, string?> { ["Bbs:store"] = "embedded" });
        var names = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/v1/", StringComparison.Ordinal) == true)
            .Select(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? e.RoutePattern.RawText!)
            .ToHashSet();

        Assert.Equal(names.Order(StringComparer.Ordinal), RoutePermissions.ByRoute.Keys.Order(StringComparer.Ordinal));
    }
}
