using System.Diagnostics.Metrics;
using Bbs.Models;
using Bbs.Server.Tests.Convergence;
using Bbs.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Authorization;

/// <summary>Authorization is off unless enabled: then any client the TLS handshake accepted may call every route (NEW's BBS).</summary>
public sealed class AuthorizationDisabledTests : IAsyncLifetime
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "bbs-authz-off-" + Guid.NewGuid().ToString("N"));
    private AuthorizationPki Pki { get; set; } = null!;

    private BbsServerFactory Factory { get; set; } = null!;

    public Task InitializeAsync()
    {
        Pki = new AuthorizationPki(dir);
        Factory = new BbsServerFactory(new Dictionary<string, string?>
        {
            ["Bbs:store"] = "embedded",
            ["Bbs:cert_file"] = Pki.ServerCertFile,
            ["Bbs:key_file"] = Pki.ServerKeyFile,
            ["Bbs:ca_file"] = Pki.CaFile,
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        Pki.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task ByDefaultAnyVerifiedClientMayCallEveryRoute()
    {
        var guid = TestModels.NewGuid();
        using var anyone = Pki.BbsClient(Factory.BaseAddress, Pki.Client("stranger"));
        using var meters = new ConvergenceMeterRecorder(Factory.Services.GetRequiredService<IMeterFactory>());

        await anyone.ConvergeLrpsAsync();
        await anyone.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));
        await anyone.ClaimActualLrpAsync(guid, 0, TestModels.InstanceKey("cell-somewhere-else"));
        await anyone.UpsertCellAsync(new CellPresence { CellId = "not-mine", RepAddress = "http://127.0.0.1:9", Zone = "z1" }, TimeSpan.FromMinutes(1));

        Assert.Equal("CLAIMED", (await anyone.InstanceAsync(guid, 0)).State);
        Assert.DoesNotContain(meters.Recorded, m => m.Instrument == "bbs_requests_denied");
    }

    [Fact]
    public async Task EnablingAuthorizationWithoutClientCertificatesOrRulesFailsAtStart()
    {
        var run = await Bbs.Server.Tests.Hosting.ServerCommand.RunAsync("--Bbs:store=embedded", "--Bbs:authorization:enabled=true");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("authorization:enabled needs ca_file", run.StandardError, StringComparison.Ordinal);
        Assert.Contains("at least one rule", run.StandardError, StringComparison.Ordinal);
    }
}
