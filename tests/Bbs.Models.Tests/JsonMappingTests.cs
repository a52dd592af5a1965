using System.Text.Json;
using Google.Protobuf;

namespace Bbs.Models.Tests;

// The JSON form uses Google.Protobuf's default formatter, which names each field by its json_name:
// BBS's JSON tags rather than proto3's lowerCamelCase.
public sealed class JsonMappingTests
{
    private static readonly DesiredLRP SampleLrp = new()
    {
        ProcessGuid = "pg",
        Domain = "d",
        RootFs = "preloaded:cflinuxfs4",
        Instances = 2,
        EnvironmentVariables = { new EnvironmentVariable { Name = "A", Value = "1" } },
        Action = new Action { RunAction = new RunAction { Path = "ls" } },
        PlacementTags = { "iso" },
        MemoryMb = 256,
    };

    [Fact]
    public void DesiredLrpUsesBbsJsonNames()
    {
        using var json = JsonDocument.Parse(JsonFormatter.Default.Format(SampleLrp));
        var root = json.RootElement;

        Assert.Equal("pg", root.GetProperty("process_guid").GetString());
        Assert.Equal("preloaded:cflinuxfs4", root.GetProperty("rootfs").GetString());
        Assert.Equal(256, root.GetProperty("memory_mb").GetInt32());
        Assert.Equal("A", root.GetProperty("env")[0].GetProperty("name").GetString());
        Assert.Equal("iso", root.GetProperty("placement_tags")[0].GetString());
        Assert.Equal("ls", root.GetProperty("action").GetProperty("run").GetProperty("path").GetString());
        Assert.False(root.TryGetProperty("root_fs", out _));
        Assert.False(root.TryGetProperty("processGuid", out _));
    }

    [Fact]
    public void JsonParserReadsBbsJsonNamesBack()
    {
        var json = """
            {
              "process_guid": "pg",
              "domain": "d",
              "rootfs": "preloaded:cflinuxfs4",
              "instances": 2,
              "env": [{ "name": "A", "value": "1" }],
              "action": { "run": { "path": "ls" } },
              "placement_tags": ["iso"],
              "memory_mb": 256
            }
            """;

        Assert.Equal(SampleLrp, JsonParser.Default.Parse<DesiredLRP>(json));
    }

    [Fact]
    public void FormatterOutputRoundTripsThroughTheParser() =>
        Assert.Equal(SampleLrp, JsonParser.Default.Parse<DesiredLRP>(JsonFormatter.Default.Format(SampleLrp)));

    [Fact]
    public void RoutableUsesItsLowercaseJsonNameAndShowsPresentFalse()
    {
        var request = new StartActualLRPRequest { Routable = false };

        Assert.Equal("""{ "routable": false }""", JsonFormatter.Default.Format(request));
        Assert.True(JsonParser.Default.Parse<StartActualLRPRequest>("""{ "routable": false }""").HasRoutable);
    }

    [Fact]
    public void ErrorTypeIsWrittenByName() =>
        Assert.Equal(
            """{ "type": "ResourceNotFound", "message": "m" }""",
            JsonFormatter.Default.Format(new Error { Type = Error.Types.Type.ResourceNotFound, Message = "m" }));
}
