using System.Diagnostics.Metrics;
using System.Net;
using Bbs.Models;
using Bbs.Server.Tests.Convergence;
using Bbs.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Bbs.Server.Tests.Tasks.TaskTestSupport;
using TestModels = Bbs.Server.Tests.Support.Models;
using TaskState = Bbs.Models.Task.Types.State;

namespace Bbs.Server.Tests.Authorization;

/// <summary>
/// Per-identity authorization with real certificates over real TLS: each role calls what it may and is refused,
/// 403 with a reason and no write, what it may not.
/// </summary>
public sealed class AuthorizationTests(AuthorizedServer server) : IClassFixture<AuthorizedServer>
{
    [Fact]
    public async Task ACellClaimsForItsOwnCellAndIsRefusedForAnotherLeavingTheStoreUnchanged()
    {
        var guid = TestModels.NewGuid();
        await server.Admin.DesireLrpAsync(TestModels.DesiredLrp(guid, 2));
        using var meters = new ConvergenceMeterRecorder(server.Factory.Services.GetRequiredService<IMeterFactory>());
        using var cell1 = server.Http(server.Pki.Client("cell-1"));

        var own = await cell1.CallAsync<ActualLRPLifecycleResponse>("/v1/actual_lrps/claim", new ClaimActualLRPRequest { ProcessGuid = guid, Index = 0, ActualLrpInstanceKey = TestModels.InstanceKey("cell-1") });
        var other = await cell1.PostAsync("/v1/actual_lrps/claim", new ClaimActualLRPRequest { ProcessGuid = guid, Index = 1, ActualLrpInstanceKey = TestModels.InstanceKey("cell-2") });

        Assert.Null(own.Error);
        Assert.Equal("CLAIMED", (await server.Admin.InstanceAsync(guid, 0)).State);
        Assert.Equal(HttpStatusCode.Forbidden, other.Status);
        Assert.StartsWith("forbidden: role cell (cell-1) may not call ClaimActualLRP: the instance key names cell 'cell-2', not the caller's cell 'cell-1'", other.Text, StringComparison.Ordinal);
        var untouched = await server.Admin.InstanceAsync(guid, 1);
        Assert.Equal("UNCLAIMED", untouched.State);
        Assert.Equal(string.Empty, untouched.ActualLrpInstanceKey?.CellId ?? string.Empty);
        var denied = Assert.Single(meters.Recorded, m => m.Instrument == "bbs_requests_denied" && m.Value > 0);
        Assert.Equal("cell", denied.Tags["role"]);
        Assert.Equal("ClaimActualLRP", denied.Tags["route"]);
    }

    [Fact]
    public async Task ACellNamedByASanUriActsForThatCellNotForItsCommonName()
    {
        var guid = TestModels.NewGuid();
        await server.Admin.DesireLrpAsync(TestModels.DesiredLrp(guid, 2));
        using var rep = server.Http(server.Pki.Client("rep-z1", uris: ["bbs-cell:cell-z1-7"]));

        var own = await rep.CallAsync<ActualLRPLifecycleResponse>("/v1/actual_lrps/claim", new ClaimActualLRPRequest { ProcessGuid = guid, Index = 0, ActualLrpInstanceKey = TestModels.InstanceKey("cell-z1-7") });
        var byCommonName = await rep.PostAsync("/v1/actual_lrps/claim", new ClaimActualLRPRequest { ProcessGuid = guid, Index = 1, ActualLrpInstanceKey = TestModels.InstanceKey("rep-z1") });

        Assert.Null(own.Error);
        Assert.Equal("cell-z1-7", (await server.Admin.InstanceAsync(guid, 0)).ActualLrpInstanceKey.CellId);
        Assert.Equal(HttpStatusCode.Forbidden, byCommonName.Status);
        Assert.Equal("UNCLAIMED", (await server.Admin.InstanceAsync(guid, 1)).State);
    }

    [Fact]
    public async Task ACellLifecycleCallWithAnotherCellsInstanceKeyIsRefusedOnEveryLrpRoute()
    {
        var guid = TestModels.NewGuid();
        await server.Admin.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));
        var theirs = TestModels.InstanceKey("cell-2");
        await server.Admin.ClaimActualLrpAsync(guid, 0, theirs);
        var before = await server.Admin.InstanceAsync(guid, 0);
        using var cell1 = server.Http(server.Pki.Client("cell-1"));
        var key = TestModels.Key(guid, 0);

        (string Path, Google.Protobuf.IMessage Request)[] calls =
        [
            ("/v1/actual_lrps/start.r1", new StartActualLRPRequest { ActualLrpKey = key, ActualLrpInstanceKey = theirs, ActualLrpNetInfo = TestModels.NetInfo() }),
            ("/v1/actual_lrps/crash", new CrashActualLRPRequest { ActualLrpKey = key, ActualLrpInstanceKey = theirs, ErrorMessage = "boom" }),
            ("/v1/actual_lrps/remove", new RemoveActualLRPRequest { ProcessGuid = guid, Index = 0, ActualLrpInstanceKey = theirs }),
            ("/v1/actual_lrps/evacuate_claimed", new EvacuateClaimedActualLRPRequest { ActualLrpKey = key, ActualLrpInstanceKey = theirs }),
            ("/v1/actual_lrps/evacuate_stopped", new EvacuateStoppedActualLRPRequest { ActualLrpKey = key, ActualLrpInstanceKey = theirs }),
            ("/v1/actual_lrps/remove_evacuating", new RemoveEvacuatingActualLRPRequest { ActualLrpKey = key, ActualLrpInstanceKey = theirs }),
            ("/v1/actual_lrps/fail", new FailActualLRPRequest { ActualLrpKey = key, ErrorMessage = "no instance key" }),
        ];
        foreach (var (path, request) in calls)
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await cell1.PostAsync(path, request)).Status);
        }

        Assert.Equal(before, await server.Admin.InstanceAsync(guid, 0));
    }

    [Fact]
    public async Task AReaderGets403OnDesireAnd200OnList()
    {
        var guid = TestModels.NewGuid();
        using var reader = server.Http(server.Pki.Client("cfdot"));

        var desire = await reader.PostAsync("/v1/desired_lrp/desire.r2", new DesireLRPRequest { DesiredLrp = TestModels.DesiredLrp(guid, 1) });
        var list = await reader.CallAsync<DesiredLRPsResponse>("/v1/desired_lrps/list.r3", new DesiredLRPsRequest());

        Assert.Equal(HttpStatusCode.Forbidden, desire.Status);
        Assert.Equal("forbidden: role reader (cfdot) may not call DesireDesiredLRP\n", desire.Text);
        Assert.Null(list.Error);
        Assert.DoesNotContain(list.DesiredLrps, d => d.ProcessGuid == guid);
    }

    [Fact]
    public async Task ASchedulerMatchedByItsSanDnsNameCanDesireButNotClaim()
    {
        var guid = TestModels.NewGuid();
        using var scheduler = server.Http(server.Pki.Client("cc-worker-3", dnsNames: ["cloud-controller.service.cf.internal"]));

        var desire = await scheduler.CallAsync<DesiredLRPLifecycleResponse>("/v1/desired_lrp/desire.r2", new DesireLRPRequest { DesiredLrp = TestModels.DesiredLrp(guid, 1) });
        var claim = await scheduler.PostAsync("/v1/actual_lrps/claim", new ClaimActualLRPRequest { ProcessGuid = guid, Index = 0, ActualLrpInstanceKey = TestModels.InstanceKey("cell-1") });

        Assert.Null(desire.Error);
        Assert.Equal(HttpStatusCode.Forbidden, claim.Status);
        Assert.Equal("forbidden: role scheduler (cloud-controller.service.cf.internal) may not call ClaimActualLRP\n", claim.Text);
        Assert.Equal("UNCLAIMED", (await server.Admin.InstanceAsync(guid, 0)).State);
    }

    [Fact]
    public async Task AnAdminCanCallEveryKindOfRoute()
    {
        var guid = TestModels.NewGuid();
        var admin = server.Admin;

        await admin.UpsertDomainAsync("authz-domain", TimeSpan.FromMinutes(1));
        await admin.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));
        await admin.ClaimActualLrpAsync(guid, 0, TestModels.InstanceKey("cell-anything"));
        await admin.UpsertCellAsync(new CellPresence { CellId = "cell-anything", RepAddress = "http://127.0.0.1:9", Zone = "z1" }, TimeSpan.FromMinutes(1));
        await admin.ConvergeLrpsAsync();
        await admin.RetireActualLrpAsync(TestModels.Key(guid, 0));

        Assert.Contains("authz-domain", await admin.DomainsAsync());
        Assert.Contains(await admin.CellsAsync(), c => c.CellId == "cell-anything");
    }

    [Fact]
    public async Task TheFirstMatchingRuleWins()
    {
        var guid = TestModels.NewGuid();
        await server.Admin.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));
        using var cell0 = server.Http(server.Pki.Client("cell-0"));

        var claim = await cell0.PostAsync("/v1/actual_lrps/claim", new ClaimActualLRPRequest { ProcessGuid = guid, Index = 0, ActualLrpInstanceKey = TestModels.InstanceKey("cell-0") });

        Assert.Equal(HttpStatusCode.Forbidden, claim.Status);
        Assert.Contains("role reader (cell-0)", claim.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClientThatNoRuleMatchesIsRefusedEveryRouteEvenPing()
    {
        using var stranger = server.Http(server.Pki.Client("stranger", dnsNames: ["stranger.example"]));

        var ping = await stranger.PostAsync("/v1/ping", new Google.Protobuf.WellKnownTypes.Empty());

        Assert.Equal(HttpStatusCode.Forbidden, ping.Status);
        Assert.Equal("forbidden: no authorization rule matches the client certificate (stranger)\n", ping.Text);
    }

    [Fact]
    public async Task ACellStartsCompletesFailsAndRejectsOnlyTasksOnItsOwnCell()
    {
        var guid = NewTaskGuid();
        await server.Admin.DesireTaskAsync(guid, TestModels.Domain, Definition());
        using var cell1 = server.Http(server.Pki.Client("cell-1"));
        using var cell2 = server.Http(server.Pki.Client("cell-2"));

        var startForAnother = await cell1.PostAsync("/v1/tasks/start", new StartTaskRequest { TaskGuid = guid, CellId = "cell-2" });
        var started = await cell1.CallAsync<StartTaskResponse>("/v1/tasks/start", new StartTaskRequest { TaskGuid = guid, CellId = "cell-1" });
        var startRunningElsewhere = await cell2.PostAsync("/v1/tasks/start", new StartTaskRequest { TaskGuid = guid, CellId = "cell-2" });
        var completeElsewhere = await cell2.PostAsync("/v1/tasks/complete", new CompleteTaskRequest { TaskGuid = guid, CellId = "cell-2", Result = "stolen" });
        var failElsewhere = await cell2.PostAsync("/v1/tasks/fail", new FailTaskRequest { TaskGuid = guid, FailureReason = "stolen" });
        var rejectElsewhere = await cell2.PostAsync("/v1/tasks/reject", new RejectTaskRequest { TaskGuid = guid, RejectionReason = "stolen" });
        var running = await server.Admin.TaskByGuidAsync(guid);
        var completed = await cell1.CallAsync<TaskLifecycleResponse>("/v1/tasks/complete", new CompleteTaskRequest { TaskGuid = guid, CellId = "cell-1", Result = "done" });

        Assert.Equal(HttpStatusCode.Forbidden, startForAnother.Status);
        Assert.Contains("the start names cell 'cell-2', not the caller's cell 'cell-1'", startForAnother.Text, StringComparison.Ordinal);
        Assert.True(started.ShouldStart);
        Assert.Null(started.Error);
        Assert.All([startRunningElsewhere, completeElsewhere, failElsewhere, rejectElsewhere], r => Assert.Equal(HttpStatusCode.Forbidden, r.Status));
        Assert.Contains($"task {guid} is assigned to cell 'cell-1', not to the caller's cell 'cell-2'", failElsewhere.Text, StringComparison.Ordinal);
        Assert.Equal(TaskState.Running, running.State);
        Assert.Equal("cell-1", running.CellId);
        Assert.Null(completed.Error);
        Assert.Equal("done", (await server.Admin.TaskByGuidAsync(guid)).Result);
    }

    [Fact]
    public async Task ACellCannotFailOrRejectAPendingTaskButGetsResourceNotFoundForAMissingOne()
    {
        var guid = NewTaskGuid();
        await server.Admin.DesireTaskAsync(guid, TestModels.Domain, Definition());
        using var cell1 = server.Http(server.Pki.Client("cell-1"));

        var fail = await cell1.PostAsync("/v1/tasks/fail", new FailTaskRequest { TaskGuid = guid, FailureReason = "mine?" });
        var missing = await cell1.CallAsync<TaskLifecycleResponse>("/v1/tasks/fail", new FailTaskRequest { TaskGuid = NewTaskGuid(), FailureReason = "gone" });

        Assert.Equal(HttpStatusCode.Forbidden, fail.Status);
        Assert.Contains("is assigned to no cell", fail.Text, StringComparison.Ordinal);
        Assert.Equal(TaskState.Pending, (await server.Admin.TaskByGuidAsync(guid)).State);
        Assert.Equal(Error.Types.Type.ResourceNotFound, missing.Error.Type);
    }

    [Fact]
    public async Task ACellUpsertsOnlyItsOwnPresence()
    {
        using var cell5 = server.Http(server.Pki.Client("cell-5"));

        var own = await cell5.CallAsync<UpsertCellResponse>("/v1/cells/upsert", new UpsertCellRequest { CellPresence = new CellPresence { CellId = "cell-5", RepAddress = "http://127.0.0.1:9", Zone = "z1" }, Ttl = 60 });
        var other = await cell5.PostAsync("/v1/cells/upsert", new UpsertCellRequest { CellPresence = new CellPresence { CellId = "cell-6", RepAddress = "http://127.0.0.1:9", Zone = "z1" }, Ttl = 60 });

        Assert.Null(own.Error);
        Assert.Equal(HttpStatusCode.Forbidden, other.Status);
        var cells = await server.Admin.CellsAsync();
        Assert.Contains(cells, c => c.CellId == "cell-5");
        Assert.DoesNotContain(cells, c => c.CellId == "cell-6");
    }

    [Fact]
    public async Task ACellReadsEverythingAndSubscribesToAnyCellsEvents()
    {
        using var cell1 = server.Http(server.Pki.Client("cell-1"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/events.r1") { Content = Bbs.Server.Tests.Support.Protobuf.Body(new EventsByCellId { CellId = "cell-2" }) };

        using var stream = await cell1.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var tasks = await cell1.CallAsync<TasksResponse>("/v1/tasks/list.r3", new TasksRequest { CellId = "cell-2" });

        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        Assert.Null(tasks.Error);
    }

    [Fact]
    public async Task OnlyAnAdminMayConvergeOnDemand()
    {
        using var scheduler = server.Http(server.Pki.Client("cc", dnsNames: ["cloud-controller.service.cf.internal"]));

        var converge = await scheduler.PostAsync("/v1/lrps/converge", new Google.Protobuf.WellKnownTypes.Empty());

        Assert.Equal(HttpStatusCode.Forbidden, converge.Status);
    }

    [Fact]
    public async Task DeniedSeriesStartAtZeroOnMetrics()
    {
        using var operatorClient = server.Http(server.Pki.Client("operator"));

        var text = await operatorClient.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        var line = Assert.Single(text.Split('\n'), l => l.StartsWith("bbs_requests_denied_total{", StringComparison.Ordinal)
            && l.Contains("role=\"reader\"", StringComparison.Ordinal) && l.Contains("route=\"RemoveDesiredLRP\"", StringComparison.Ordinal));
        Assert.Equal("0", line.Split(' ')[1]);
        Assert.DoesNotContain(text.Split('\n'), l => l.StartsWith("bbs_requests_denied_total{", StringComparison.Ordinal) && l.Contains("role=\"admin\"", StringComparison.Ordinal));
    }
}
