using System.Text;
using System.Text.Json;
using Bbs.Models;
using Bbs.Server.Tests.Cluster;
using Bbs.Server.Tests.Tasks;
using Xunit.Abstractions;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Hosting;

/// <summary>
/// No secret reaches the log at any level: a real server process at Debug, with an encryption passphrase in its
/// configuration, is driven through every route (each route of the OpenAPI document with a body full of secrets, then
/// the LRP, task, cell and evacuation lifecycles through the client), and its output is scanned for the markers.
/// </summary>
public sealed class SecretsInLogsTests(ITestOutputHelper output)
{
    private const string Passphrase = "SECRET-passphrase-7f3a";
    private const string EnvValue = "SECRET-env-value-91c2";
    private const string ImagePassword = "SECRET-image-password-5d0e";
    private const string UrlPassword = "SECRET-url-password-a8b4";
    private static readonly string[] Markers = [Passphrase, EnvValue, ImagePassword, UrlPassword];

    [Fact]
    public async Task NoSecretIsLoggedAtDebugOnAnyRoute()
    {
        await using var server = new BbsProcess("secrets", "bbs-secrets", BbsProcess.FreePort(), new Dictionary<string, string>
        {
            ["Bbs:store"] = "embedded",
            ["Bbs:log_level"] = "debug",
            ["Bbs:encryption_keys:0"] = "k1:" + Passphrase,
            ["Bbs:active_key_label"] = "k1",
            ["Bbs:converge_repeat_interval"] = "00:00:01",
        });
        server.Start();
        await server.WaitUntilReadyAsync(BbsCluster.StartTimeout);

        // Every route of the document, with a JSON body that carries every secret (and an invalid one, for error paths).
        using var document = JsonDocument.Parse(await server.Http.GetStringAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative)));
        var secretJson = Google.Protobuf.JsonFormatter.Default.Format(SecretLrp(TestModels.NewGuid()));
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            if (path.Name.StartsWith("/v1/events", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var body in new[] { secretJson, $"{{\"desired_lrp\":{secretJson},\"process_guid\":\"x\",\"task_guid\":\"{UrlPassword}\"}}", "{\"bad\":" + EnvValue })
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await server.Http.PostAsync(new Uri(path.Name, UriKind.Relative), content);
                Assert.True((int)response.StatusCode < 500, $"{path.Name} answered {(int)response.StatusCode}");
            }
        }

        // The lifecycles, through the client (protobuf).
        var client = server.Client;
        var guid = TestModels.NewGuid();
        var cell = TestModels.InstanceKey("cell-secrets");
        await client.UpsertCellAsync(new CellPresence { CellId = cell.CellId, RepAddress = "http://127.0.0.1:9", RepUrl = $"http://user:{UrlPassword}@127.0.0.1:9", Zone = "z1" }, TimeSpan.FromMinutes(5));
        await client.DesireLrpAsync(SecretLrp(guid));
        await client.UpdateDesiredLrpAsync(guid, new DesiredLRPUpdate { Instances = 3, ImagePassword = ImagePassword, ImageUsername = "user" });
        await client.DesiredLrpsAsync();
        await client.DesiredLrpByProcessGuidAsync(guid);
        await client.DesiredLrpSchedulingInfosAsync();
        await client.DesiredLrpRoutingInfosAsync();
        await client.ClaimActualLrpAsync(guid, 0, cell);
        await client.StartActualLrpAsync(TestModels.Key(guid, 0), cell, TestModels.NetInfo());
        await client.CrashActualLrpAsync(TestModels.Key(guid, 0), cell, "crashed with " + "a reason");
        await client.FailActualLrpAsync(TestModels.Key(guid, 1), "placement failed");
        await client.ClaimActualLrpAsync(guid, 2, cell);
        await client.StartActualLrpAsync(TestModels.Key(guid, 2), cell, TestModels.NetInfo());
        await client.EvacuateRunningActualLrpAsync(TestModels.Key(guid, 2), cell, TestModels.NetInfo());
        await client.ActualLrpGroupsAsync();
        await client.ActualLrpsAsync();
        await client.ConvergeLrpsAsync();
        await client.RetireActualLrpAsync(TestModels.Key(guid, 1));
        await client.RemoveDesiredLrpAsync(guid);

        var task = TaskTestSupport.NewTaskGuid();
        var definition = TaskTestSupport.Definition($"http://user:{UrlPassword}@127.0.0.1:9/callback");
        definition.EnvironmentVariables.Add(new EnvironmentVariable { Name = "SECRET", Value = EnvValue });
        definition.ImagePassword = ImagePassword;
        definition.ImageUsername = "user";
        await client.DesireTaskAsync(task, TestModels.Domain, definition);
        await client.TasksAsync();
        await client.TaskByGuidAsync(task);
        await client.StartTaskAsync(task, cell.CellId);
        await client.CompleteTaskAsync(task, cell.CellId, failed: true, failureReason: "failed", result: string.Empty);
        await client.ConvergeTasksAsync(TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1), TimeSpan.FromHours(1));
        await Task.Delay(TimeSpan.FromSeconds(2));

        var log = server.RecentOutput;
        output.WriteLine($"{log.Split('\n').Length} lines of output scanned");
        foreach (var marker in Markers)
        {
            var leaks = log.Split('\n').Where(l => l.Contains(marker, StringComparison.Ordinal) && !l.StartsWith("--- ", StringComparison.Ordinal)).ToList();
            Assert.True(leaks.Count == 0, $"{marker} was logged:\n{string.Join('\n', leaks.Take(5))}");
        }

        Assert.Contains("DesireDesiredLRP", log, StringComparison.Ordinal);
    }

    /// <summary>A desired LRP that carries a secret in each place one can hide: env, image password, download URL.</summary>
    private static DesiredLRP SecretLrp(string guid)
    {
        var lrp = TestModels.DesiredLrp(guid, 2);
        lrp.EnvironmentVariables.Add(new EnvironmentVariable { Name = "DATABASE_URL", Value = EnvValue });
        lrp.ImageUsername = "user";
        lrp.ImagePassword = ImagePassword;
        lrp.Setup = new Bbs.Models.Action { DownloadAction = new DownloadAction { From = $"https://user:{UrlPassword}@blobstore.example.com/droplet", To = "/app", User = "vcap" } };
        lrp.Action.RunAction.Env.Add(new EnvironmentVariable { Name = "API_KEY", Value = EnvValue });
        return lrp;
    }
}
