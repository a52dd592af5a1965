using Bbs.Db.Format;
using Bbs.Models;
using Bbs.Models.Rules;
using Google.Protobuf;

namespace Bbs.Db.Tests.Format;

/// <summary>Valid models of every stored kind, and serializers for each write encoding.</summary>
internal static class Records
{
    public const string Passphrase = "correct horse";

    /// <summary>The small ActualLRP whose stored bytes are derived by hand in <see cref="GoldenRecordTests"/>.</summary>
    public static ActualLRP SmallActualLrp() => new()
    {
        ActualLrpKey = new ActualLRPKey { ProcessGuid = "pg", Index = 1, Domain = "d" },
        State = ActualLrpStates.Unclaimed,
        Since = 1000,
    };

    public static ActualLRP RunningActualLrp() => new()
    {
        ActualLrpKey = new ActualLRPKey { ProcessGuid = "pg-1", Index = 2, Domain = "cf-apps" },
        ActualLrpInstanceKey = new ActualLRPInstanceKey { InstanceGuid = "ig-1", CellId = "cell-1" },
        ActualLrpNetInfo = new ActualLRPNetInfo
        {
            Address = "10.0.0.1",
            Ports = { new PortMapping { ContainerPort = 8080, HostPort = 61000 } },
        },
        State = ActualLrpStates.Running,
        Since = 1_700_000_000_000_000_000,
        ModificationTag = new ModificationTag { Epoch = "epoch-1", Index = 3 },
        MetricTags = { ["app"] = "web" },
        Routable = true,
    };

    public static DesiredLRPSchedulingInfo SchedulingInfo() => new()
    {
        DesiredLrpKey = new DesiredLRPKey { ProcessGuid = "pg-1", Domain = "cf-apps", LogGuid = "log-1" },
        Annotation = "note",
        Instances = 3,
        DesiredLrpResource = new DesiredLRPResource { MemoryMb = 256, DiskMb = 1024, RootFs = "preloaded:cflinuxfs4" },
        Routes = new ProtoRoutes { Routes = { ["cf-router"] = ByteString.CopyFromUtf8("""[{"hostnames":["a.example.com"],"port":8080}]""") } },
        ModificationTag = new ModificationTag { Epoch = "epoch-1", Index = 1 },
        PlacementTags = { "blue" },
    };

    public static DesiredLRPRunInfo RunInfo() => new()
    {
        DesiredLrpKey = new DesiredLRPKey { ProcessGuid = "pg-1", Domain = "cf-apps", LogGuid = "log-1" },
        EnvironmentVariables = { new EnvironmentVariable { Name = "PORT", Value = "8080" } },
        Action = new Bbs.Models.Action { RunAction = new RunAction { Path = "/bin/app", User = "vcap" } },
        StartTimeoutMs = 60_000,
        Ports = { 8080, 2222 },
        LogSource = "APP",
        CreatedAt = 1_700_000_000_000_000_000,
    };

    public static Bbs.Models.Task Task() => new()
    {
        TaskGuid = "task-1",
        Domain = "cf-tasks",
        State = Bbs.Models.Task.Types.State.Running,
        CellId = "cell-1",
        CreatedAt = 1_700_000_000_000_000_000,
        UpdatedAt = 1_700_000_000_000_000_001,
        TaskDefinition = new TaskDefinition
        {
            RootFs = "preloaded:cflinuxfs4",
            Action = new Bbs.Models.Action { RunAction = new RunAction { Path = "/bin/task", User = "vcap" } },
            MemoryMb = 128,
            ResultFile = "/tmp/result",
        },
    };

    public static RecordSerializer Plain() => new(new RecordFormatOptions());

    public static RecordSerializer Encoded() => new(new RecordFormatOptions { WriteEncoding = RecordEncoding.Base64 });

    public static RecordSerializer Encrypted(string activeLabel = "k1", params string[] keys) => new(new RecordFormatOptions
    {
        EncryptionKeys = keys.Length == 0 ? [$"k1:{Passphrase}"] : [.. keys],
        ActiveKeyLabel = activeLabel,
    });

    public static RecordSerializer For(RecordEncoding encoding) => encoding switch
    {
        RecordEncoding.Unencoded => Plain(),
        RecordEncoding.Base64 => Encoded(),
        _ => Encrypted(),
    };

    /// <summary>Holds the test key but writes "00": its <see cref="RecordSerializer.Reencode"/> exposes the envelope.</summary>
    public static RecordSerializer Opener() => new(new RecordFormatOptions
    {
        EncryptionKeys = [$"k1:{Passphrase}"],
        ActiveKeyLabel = "k1",
        WriteEncoding = RecordEncoding.Unencoded,
    });

    /// <summary>The envelope inside a value of any encoding.</summary>
    public static byte[] EnvelopeOf(byte[] value) => Opener().Reencode(value)[2..];
}
