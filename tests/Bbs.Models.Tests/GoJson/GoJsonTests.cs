using System.Buffers;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using Bbs.Models.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Bbs.Models.Tests.GoJson;

/// <summary>
/// The JSON form is Diego's: what the Go models write with encoding/json and cfdot prints. The fixture is a desired LRP
/// as cfdot would take it (every action kind, env, ports, routes as raw JSON, metric tags, a check definition), and the
/// golden bytes are what Diego's Go client sends for it, encoded by <c>gogo_golden.py</c> from gogo's marshalers.
/// </summary>
public sealed class GoJsonTests
{
    private static readonly string Fixture = System.IO.File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "GoJson", "diego-desired-lrp.json"));

    private static readonly string Golden = string.Concat(System.IO.File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "GoJson", "diego-desired-lrp.hex")));

    [Fact]
    public void EveryMessageOfTheSchemaHasAGoJsonFormThatCoversEveryField()
    {
        var messages = typeof(DesiredLRP).Assembly.GetTypes()
            .Where(t => typeof(IMessage).IsAssignableFrom(t) && !t.IsAbstract)
            .Select(t => (MessageDescriptor)t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!)
            .ToList();
        Assert.True(messages.Count > 100, $"only {messages.Count} messages found");

        var missing = new List<string>();
        foreach (var descriptor in messages)
        {
            var covered = GoJsonForm.MembersOf(descriptor).Select(m => m.Field).ToHashSet();
            foreach (var field in descriptor.Fields.InFieldNumberOrder())
            {
                if (!covered.Contains(field) && !IsEmbedded(descriptor, field))
                {
                    missing.Add(field.FullName);
                }
            }
        }

        Assert.Empty(missing);

        static bool IsEmbedded(MessageDescriptor descriptor, FieldDescriptor field) =>
            field.FieldType == FieldType.Message && GoJsonForm.MembersOf(descriptor).Any(m => m.Field.ContainingType == field.MessageType);
    }

    [Fact]
    public void ADiegoDesiredLrpReadsIntoTheBytesDiegosGoClientSends()
    {
        var request = Read<DesireLRPRequest>(Fixture);

        Assert.Equal(Golden, Convert.ToHexStringLower(request.ToByteArray()));
    }

    [Fact]
    public void TheGoldenBytesWriteBackAsTheSameJson()
    {
        var request = DesireLRPRequest.Parser.ParseFrom(Convert.FromHexString(Golden));

        AssertSameJson(Fixture, GoJsonWriter.ToJson(request));
    }

    [Fact]
    public void AnActualLrpHasItsKeysAtTopLevelAndWritesIndexZeroAndEveryZeroMember()
    {
        var lrp = new ActualLRP
        {
            ActualLrpKey = new ActualLRPKey { ProcessGuid = "pg", Index = 0, Domain = "d" },
            ActualLrpInstanceKey = new ActualLRPInstanceKey(),
            ActualLrpNetInfo = new ActualLRPNetInfo(),
            State = "UNCLAIMED",
            Since = 1_700_000_000_000_000_000,
            Routable = true,
        };

        AssertSameJson(
            """
            {
              "process_guid": "pg", "index": 0, "domain": "d", "instance_guid": "", "cell_id": "", "address": "", "ports": null,
              "preferred_address": "UNKNOWN", "crash_count": 0, "state": "UNCLAIMED", "since": 1700000000000000000,
              "modification_tag": { "epoch": "", "index": 0 }, "presence": "ORDINARY", "OptionalRoutable": { "routable": true },
              "availability_zone": ""
            }
            """,
            GoJsonWriter.ToJson(lrp));
        Assert.Contains("\"since\":1700000000000000000", GoJsonWriter.ToJson(lrp), StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnsetGoOneofIsNullAndReadsBackUnset()
    {
        var json = GoJsonWriter.ToJson(new ActualLRP { State = "CLAIMED" });

        Assert.Contains("\"OptionalRoutable\":null", json, StringComparison.Ordinal);
        Assert.False(Read<ActualLRP>(json).HasRoutable);
        Assert.True(Read<ActualLRP>("""{ "OptionalRoutable": { "routable": false } }""").HasRoutable);
    }

    [Fact]
    public void ATaskCarriesItsDefinitionAtTopLevel()
    {
        var task = new Task
        {
            TaskGuid = "t",
            Domain = "d",
            State = Task.Types.State.Running,
            TaskDefinition = new TaskDefinition { RootFs = "preloaded:cflinuxfs4", MemoryMb = 64, Action = new Action { RunAction = new RunAction { Path = "ls", User = "vcap" } } },
        };

        var json = JsonNode.Parse(GoJsonWriter.ToJson(task))!.AsObject();

        Assert.Equal("preloaded:cflinuxfs4", (string?)json["rootfs"]);
        Assert.Equal(64, (int?)json["memory_mb"]);
        Assert.Equal("ls", (string?)json["action"]!["run"]!["path"]);
        Assert.Equal("Running", (string?)json["state"]);
        Assert.False(json.ContainsKey("task_definition"));
        Assert.Equal(task, Read<Task>(json.ToJsonString()));
    }

    [Fact]
    public void EnumsAreWrittenAsGoWritesThem()
    {
        var json = JsonNode.Parse(GoJsonWriter.ToJson(new DesiredLRP { UpdateStrategy = DesiredLRP.Types.UpdateStrategy.Recreate }))!;
        var error = JsonNode.Parse(GoJsonWriter.ToJson(new Error { Type = Error.Types.Type.ResourceNotFound, Message = "m" }))!;

        Assert.Equal(1, (int?)json["update_strategy"]);
        Assert.Equal("ResourceNotFound", (string?)error["type"]);
    }

    [Theory]
    [InlineData("""{"desired_lrp":{"instance":3}}""", "desired_lrp.instance: unknown field, did you mean \"instances\"?")]
    [InlineData("""{"desired_lrp":{"action":{"run":{"pth":"ls"}}}}""", "desired_lrp.action.run.pth: unknown field, did you mean \"path\"?")]
    [InlineData("""{"desired_lrp":{"bogus_member":1}}""", "desired_lrp.bogus_member: unknown field")]
    [InlineData("""{"desired_lrp":{"instances":"three"}}""", "desired_lrp.instances: expected an integer (int32), got the string \"three\"")]
    [InlineData("""{"desired_lrp":{"instances":2.5}}""", "desired_lrp.instances: expected an integer (int32), got 2.5")]
    [InlineData("""{"desired_lrp":{"ports":8080}}""", "desired_lrp.ports: expected an array, got a number")]
    [InlineData("""{"desired_lrp":{"env":[{"name":1}]}}""", "desired_lrp.env[0].name: expected a string, got a number")]
    [InlineData("""{"desired_lrp":{"privileged":"yes"}}""", "desired_lrp.privileged: expected true or false, got a string")]
    [InlineData("""{"desired_lrp":{"metric_tags":{"x":{"dynamic":"INDEKS"}}}}""", "desired_lrp.metric_tags.x.dynamic: \"INDEKS\" is not a DynamicValue; valid: \"DynamicValueInvalid\", \"INDEX\", \"INSTANCE_GUID\"")]
    [InlineData("[]", "the request body must be a JSON object (DesireLRPRequest), not an array")]
    [InlineData("{\n  \"desired_lrp\": {\n    \"instances\": 3,,\n  }\n}", "invalid JSON at line 3, column 20: ")]
    public void BadInputSaysWhatAndWhere(string body, string expected)
    {
        var read = GoJsonReader.Read<DesireLRPRequest>(Sequence(body));

        Assert.Null(read.Message);
        Assert.StartsWith(expected, read.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void KeysMatchIgnoringCaseAsGosDecoderDoes()
    {
        var read = GoJsonReader.Read<DesiredLRPByProcessGuidRequest>(Sequence("""{"Process_Guid":"pg"}"""));

        Assert.Equal("pg", read.Message!.ProcessGuid);
        Assert.Null(read.Deprecated);
    }

    [Fact]
    public void AnEmptyBodyIsTheEmptyMessage() =>
        Assert.Equal(new DesireLRPRequest(), GoJsonReader.Read<DesireLRPRequest>(Sequence("  ")).Message);

    [Fact]
    public void TheEarlierProto3FormStillReadsTheSameAndIsReportedAsDeprecated()
    {
        var diego = Read<StartActualLRPRequest>("""
            { "actual_lrp_key": { "process_guid": "pg", "index": 1, "domain": "d" }, "OptionalRoutable": { "Routable": true } }
            """);
        var proto3 = GoJsonReader.Read<StartActualLRPRequest>(Sequence("""
            { "actual_lrp_key": { "process_guid": "pg", "index": 1, "domain": "d" }, "routable": true }
            """));

        Assert.Equal(diego, proto3.Message);
        Assert.StartsWith("routable", proto3.Deprecated, StringComparison.Ordinal);
    }

    [Fact]
    public void ProtoThreeRoutesNestedKeysAndStringNumbersReadAsDiegosFormDoes()
    {
        var routeJson = """[{"hostnames":["a.example.com"],"port":8080}]""";
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(routeJson));
        var diego = Read<DesiredLRP>($$"""{ "start_timeout_ms": 60000, "routes": { "cf-router": {{routeJson}} } }""");
        var proto3 = GoJsonReader.Read<DesiredLRP>(Sequence($$"""{ "start_timeout_ms": "60000", "routes": { "routes": { "cf-router": "{{base64}}" } } }"""));
        var nested = GoJsonReader.Read<ActualLRP>(Sequence("""{ "actual_lrp_key": { "process_guid": "pg", "index": 2 } }"""));

        Assert.Equal(diego, proto3.Message);
        Assert.NotNull(proto3.Deprecated);
        Assert.Equal("pg", nested.Message!.ActualLrpKey.ProcessGuid);
        Assert.Equal(2, nested.Message.ActualLrpKey.Index);
        Assert.StartsWith("actual_lrp_key", nested.Deprecated, StringComparison.Ordinal);
    }

    [Fact]
    public void RouteValuesAreKeptByteForByteAndWrittenAsJson()
    {
        var lrp = Read<DesiredLRP>("""{ "routes": { "tcp-router": [ { "external_port": 61000, "container_port": 8080 } ] } }""");

        Assert.Equal("""[ { "external_port": 61000, "container_port": 8080 } ]""", lrp.Routes.Routes["tcp-router"].ToStringUtf8());
        Assert.Equal(61000, (int?)JsonNode.Parse(GoJsonWriter.ToJson(lrp))!["routes"]!["tcp-router"]![0]!["external_port"]);
    }

    private static T Read<T>(string json)
        where T : class, IMessage<T>, new()
    {
        var read = GoJsonReader.Read<T>(Sequence(json));
        Assert.True(read.Error is null, read.Error);
        return read.Message!;
    }

    private static ReadOnlySequence<byte> Sequence(string text) => new(Encoding.UTF8.GetBytes(text));

    private static void AssertSameJson(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"expected{Environment.NewLine}{JsonNode.Parse(expected)!.ToJsonString()}{Environment.NewLine}got{Environment.NewLine}{actual}");
}
