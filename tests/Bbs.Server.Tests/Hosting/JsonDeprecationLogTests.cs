using System.Text;
using System.Text.Json.Nodes;
using Bbs.Server.Tests.Cluster;

namespace Bbs.Server.Tests.Hosting;

/// <summary>
/// The proto3 JSON form this server spoke before Diego's is still read for one deprecation cycle, and a real process
/// says so once: one warning line, however many such requests arrive.
/// </summary>
public sealed class JsonDeprecationLogTests
{
    private const string Warning = "earlier proto3 form";

    [Fact]
    public async Task TheEarlierProto3NamesStillWorkAndLogOneDeprecationLine()
    {
        await using var server = new BbsProcess("json-deprecation", "json-deprecation", BbsProcess.FreePort(), new Dictionary<string, string>());
        server.Start();
        await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        var route = Convert.ToBase64String(Encoding.UTF8.GetBytes("""[{"hostnames":["old.example.com"],"port":8080}]"""));

        // 64-bit integers as strings and routes as base64 of the router's JSON: the proto3 mapping's forms.
        var desire = await PostJsonAsync(server, "/v1/desired_lrp/desire.r2", $$"""
            { "desired_lrp": { "process_guid": "old-form", "domain": "d", "root_fs": "preloaded:cflinuxfs4", "instances": 1,
              "action": { "run_action": { "path": "ls", "user": "vcap" } }, "start_timeout_ms": "60000",
              "routes": { "routes": { "cf-router": "{{route}}" } } } }
            """);
        var claim = await PostJsonAsync(server, "/v1/actual_lrps/claim", """
            { "process_guid": "old-form", "index": 0, "actual_lrp_instance_key": { "instance_guid": "i", "cell_id": "c" } }
            """);
        var start = await PostJsonAsync(server, "/v1/actual_lrps/start.r1", """
            { "actual_lrp_key": { "process_guid": "old-form", "index": 0, "domain": "d" },
              "actual_lrp_instance_key": { "instance_guid": "i", "cell_id": "c" },
              "actual_lrp_net_info": { "address": "10.0.0.1", "ports": [] }, "routable": true }
            """);
        var read = await PostJsonAsync(server, "/v1/desired_lrps/get_by_process_guid.r2", """{ "process_guid": "old-form" }""");

        Assert.Equal("{}", desire.ToJsonString());
        Assert.Equal("{}", claim.ToJsonString());
        Assert.Equal("{}", start.ToJsonString());
        var lrp = read["desired_lrp"]!;
        Assert.Equal(60000, (long)lrp["start_timeout_ms"]!);
        Assert.Equal("preloaded:cflinuxfs4", (string?)lrp["rootfs"]);
        Assert.Equal("ls", (string?)lrp["action"]!["run"]!["path"]);
        Assert.Equal("old.example.com", (string?)lrp["routes"]!["cf-router"]![0]!["hostnames"]![0]);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!server.RecentOutput.Contains(Warning, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var lines = server.RecentOutput.Split('\n').Where(l => l.Contains(Warning, StringComparison.Ordinal)).ToList();
        var line = Assert.Single(lines);
        Assert.Contains("desired_lrp.root_fs", line, StringComparison.Ordinal);
    }

    private static async Task<JsonNode> PostJsonAsync(BbsProcess server, string path, string json)
    {
        using var response = await server.Http.PostAsync(new Uri(path, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }
}
