using System.Text;
using Bbs.Db.Format;
using Bbs.Db.Tests.Format;
using Bbs.Models;
using Bbs.Store;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bbs.Db.Tests.Lists;

/// <summary>
/// A desired LRP composed from its two stored halves' bytes (<see cref="DesiredLrpEncoding"/>) against the
/// materialized join (<see cref="DesiredLrpParts.Join"/>, <see cref="DesiredLrpParts.RoutingInfo"/>) of the same
/// records, over many varied desired LRPs in every form the store may hold them: the halves go through the view's own
/// projector, as a list sees them.
/// </summary>
public sealed class DesiredLrpEncodingTests
{
    private const int Cases = 400;

    /// <summary>How a generated pair of halves is stored.</summary>
    public enum Stored
    {
        Unencoded,
        Base64,
        Encrypted,
        JsonEnvelope,
        LegacyJson,
        /// <summary>Unencoded PROTO, but written as another encoder might: fields out of order, explicit defaults, packed ports, a key split in two, unknown fields.</summary>
        NonCanonical,
    }

    [Theory]
    [InlineData(Stored.Unencoded)]
    [InlineData(Stored.Base64)]
    [InlineData(Stored.Encrypted)]
    [InlineData(Stored.JsonEnvelope)]
    [InlineData(Stored.LegacyJson)]
    [InlineData(Stored.NonCanonical)]
    public void TheComposedDesiredLrpParsesToTheJoinOfItsHalves(Stored stored)
    {
        var random = new Random(1000 + (int)stored);
        var serializer = SerializerFor(stored);
        var project = RecordProjector.Create(serializer, NullLogger.Instance);
        for (int i = 0; i < Cases; i++)
        {
            var (info, run) = RandomHalves(random, i);
            var infoValue = Store(stored, info, random);
            var runValue = Store(stored, run, random);
            var infoRecord = Assert.IsType<SchedulingRecord>(project(new KeyValue(Keys.SchedulingInfo("pg"), infoValue, 1, 1, 1, 0)));
            var runRecord = Assert.IsType<RunInfoRecord>(project(new KeyValue(Keys.RunInfo("pg"), runValue, 1, 1, 1, 0)));
            var storedInfo = serializer.Deserialize<DesiredLRPSchedulingInfo>(infoValue);
            var storedRun = serializer.Deserialize<DesiredLRPRunInfo>(runValue);

            foreach (var fields in new[] { DesiredLrpFields.All, DesiredLrpFields.Routing })
            {
                var expected = fields == DesiredLrpFields.All ? DesiredLrpParts.Join(storedInfo, storedRun) : DesiredLrpParts.RoutingInfo(storedInfo, storedRun);
                var composed = DesiredLrpEncoding.ToByteArray(infoRecord.Bytes.Span, runRecord.Bytes.Span, fields);

                Assert.True(expected.Equals(DesiredLRP.Parser.ParseFrom(composed)), $"case {i} ({fields}): {DesiredLRP.Parser.ParseFrom(composed)} != {expected}");
                Assert.Equal(composed.Length, DesiredLrpEncoding.ComputeSize(infoRecord.Bytes.Span, runRecord.Bytes.Span, fields));
                Assert.Equal(expected, new DesiredLrpHalves(infoRecord.Bytes, runRecord.Bytes).Decode(fields));
                if (stored != Stored.NonCanonical)
                {
                    // Canonical halves compose to exactly the bytes of the encoded join.
                    Assert.Equal(expected.ToByteArray(), composed);
                }
            }
        }
    }

    [Fact]
    public void AValidatedRecordPairInEveryWriteEncodingComposesToItsJoin()
    {
        foreach (var serializer in new[] { Records.Plain(), Records.Encoded(), Records.Encrypted() })
        {
            var project = RecordProjector.Create(serializer, NullLogger.Instance);
            var info = Records.SchedulingInfo();
            var run = Records.RunInfo();
            run.MetricTags["source_id"] = new MetricTagValue { Static = "source-guid" };
            var infoRecord = Assert.IsType<SchedulingRecord>(project(new KeyValue(Keys.SchedulingInfo("pg-1"), serializer.Serialize(info), 1, 1, 1, 0)));
            var runRecord = Assert.IsType<RunInfoRecord>(project(new KeyValue(Keys.RunInfo("pg-1"), serializer.Serialize(run), 1, 1, 1, 0)));

            var composed = DesiredLRP.Parser.ParseFrom(DesiredLrpEncoding.ToByteArray(infoRecord.Bytes.Span, runRecord.Bytes.Span, DesiredLrpFields.All));

            Assert.Equal(DesiredLrpParts.Join(info, run), composed);
            Assert.Equal("source-guid", composed.MetricsGuid);
        }
    }

    [Fact]
    public void AnUnencodedRunInfoIsKeptAsASliceOfTheStoredValue()
    {
        var value = Records.Plain().Serialize(Records.RunInfo());
        var record = Assert.IsType<RunInfoRecord>(RecordProjector.Create(Records.Plain(), NullLogger.Instance)(new KeyValue(Keys.RunInfo("pg-1"), value, 1, 1, 1, 0)));

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(record.Bytes, out var segment));
        Assert.Same(value, segment.Array);
        Assert.Equal(Records.RunInfo(), record.Parse());
    }

    private static RecordSerializer SerializerFor(Stored stored) => new(new RecordFormatOptions
    {
        ValidateRecords = false,
        WriteEncoding = stored switch
        {
            Stored.Base64 => RecordEncoding.Base64,
            Stored.Encrypted => RecordEncoding.Encrypted,
            _ => RecordEncoding.Unencoded,
        },
        EncryptionKeys = [$"k1:{Records.Passphrase}"],
        ActiveKeyLabel = "k1",
    });

    private static byte[] Store<T>(Stored stored, T model, Random random)
        where T : IMessage<T>
    {
        byte version = model is DesiredLRPRunInfo ? (byte)1 : (byte)0;
        return stored switch
        {
            Stored.JsonEnvelope => [.. "00"u8, 1, version, .. Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(model))],
            Stored.LegacyJson => Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(model)),
            Stored.NonCanonical => [.. "00"u8, 2, version, .. NonCanonical(model, random)],
            _ => SerializerFor(stored).Serialize(model),
        };
    }

    /// <summary>A valid encoding of the model that no canonical encoder writes.</summary>
    private static byte[] NonCanonical<T>(T model, Random random)
        where T : IMessage<T>
    {
        var fields = Fields(model.ToByteArray());
        var output = new List<byte[]>();
        if (model is DesiredLRPSchedulingInfo)
        {
            // Explicit defaults first (a later value wins), the key split into two occurrences (merged on parse).
            output.Add(Tagged(2, WireFormat.WireType.LengthDelimited, []));
            output.Add([.. Tag(3, WireFormat.WireType.Varint), 0]);
            fields = [.. fields.SelectMany(f => f.Number == 1 ? SplitKey(f) : [f])];
        }
        else
        {
            output.Add(Tagged(12, WireFormat.WireType.LengthDelimited, []));
            var ports = fields.Where(f => f.Number == 9).ToList();
            if (ports.Count > 0)
            {
                // Ports packed into one field, where the first was.
                var packed = new Field(9, Tagged(9, WireFormat.WireType.LengthDelimited, [.. ports.SelectMany(p => p.Raw[1..])]));
                int first = fields.IndexOf(ports[0]);
                fields = [.. fields.Take(first), packed, .. fields.Skip(first).Where(f => f.Number != 9)];
            }
        }

        // Shuffled, keeping the order of each field number's occurrences (repeated fields keep theirs).
        var queues = fields.GroupBy(f => f.Number).ToDictionary(g => g.Key, g => new Queue<Field>(g));
        var order = fields.Select(f => f.Number).OrderBy(_ => random.Next()).ToList();
        output.AddRange(order.Select(n => queues[n].Dequeue().Raw));
        output.Add([.. Tag(500, WireFormat.WireType.Varint), 7]);
        output.Add(Tagged(501, WireFormat.WireType.LengthDelimited, "unknown"u8.ToArray()));
        return [.. output.SelectMany(b => b)];
    }

    private static IEnumerable<Field> SplitKey(Field key)
    {
        var input = new CodedInputStream(key.Raw);
        input.ReadTag();
        var sub = Fields(input.ReadBytes().ToByteArray());
        yield return new Field(1, Tagged(1, WireFormat.WireType.LengthDelimited, [.. sub.Where(f => f.Number == 1).SelectMany(f => f.Raw)]));
        yield return new Field(1, Tagged(1, WireFormat.WireType.LengthDelimited, [.. sub.Where(f => f.Number != 1).SelectMany(f => f.Raw)]));
    }

    /// <summary>The top-level fields of an encoding, each with its raw bytes (tag included).</summary>
    private static List<Field> Fields(byte[] bytes)
    {
        var fields = new List<Field>();
        var input = new CodedInputStream(bytes);
        while (!input.IsAtEnd)
        {
            long start = input.Position;
            uint tag = input.ReadTag();
            input.SkipLastField();
            fields.Add(new Field(WireFormat.GetTagFieldNumber(tag), bytes[(int)start..(int)input.Position]));
        }

        return fields;
    }

    private static byte[] Tag(int number, WireFormat.WireType type) => Varint(WireFormat.MakeTag(number, type));

    private static byte[] Tagged(int number, WireFormat.WireType type, byte[] payload) => [.. Tag(number, type), .. Varint((uint)payload.Length), .. payload];

    private static byte[] Varint(uint value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }

    private sealed record Field(int Number, byte[] Raw);

    /// <summary>Halves of a random desired LRP: each field present or not, empty or not, old-era and NEW fields alike.</summary>
    private static (DesiredLRPSchedulingInfo Info, DesiredLRPRunInfo Run) RandomHalves(Random random, int seed)
    {
        bool Maybe() => random.Next(2) == 0;
        string Text(string name) => random.Next(6) switch
        {
            0 => string.Empty,
            1 => name + "-ü-" + seed,
            _ => name + "-" + random.Next(100_000),
        };
        int Number() => random.Next(5) switch
        {
            0 => 0,
            1 => -random.Next(1, 1000),
            2 => int.MaxValue,
            _ => random.Next(1, 100_000),
        };
        Bbs.Models.Action? AnAction() => random.Next(4) switch
        {
            0 => null,
            1 => new Bbs.Models.Action(),
            2 => new Bbs.Models.Action { RunAction = new RunAction { Path = Text("/bin/run"), User = "vcap", Args = { Text("a"), Text("b") } } },
            _ => new Bbs.Models.Action { DownloadAction = new DownloadAction { From = Text("http://from"), To = Text("/to"), User = "vcap" } },
        };

        var lrp = new DesiredLRP
        {
            ProcessGuid = Text("pg"),
            Domain = Text("domain"),
            LogGuid = Text("log"),
            RootFs = Text("preloaded:cflinuxfs4"),
            MemoryMb = Number(),
            DiskMb = Number(),
            MaxPids = Number(),
            Instances = Number(),
            Annotation = Text("annotation"),
            Routes = random.Next(3) switch
            {
                0 => null,
                1 => new ProtoRoutes(),
                _ => new ProtoRoutes { Routes = { ["cf-router"] = ByteString.CopyFromUtf8($$"""[{"hostnames":["{{Text("h")}}.example.com"],"port":8080}]"""), ["tcp-router"] = ByteString.Empty } },
            },
            Setup = AnAction(),
            Action = AnAction(),
            Monitor = AnAction(),
            StartTimeout = (uint)random.Next(0, 3) * 60,
            Privileged = Maybe(),
            CpuWeight = (uint)random.Next(0, 100),
            LogSource = Text("APP"),
            MetricsGuid = Text("metrics"),
            LegacyDownloadUser = Text("vcap"),
            TrustedSystemCertificatesPath = Text("/etc/certs"),
            Network = Maybe() ? null : new Network { Properties = { ["policy_group"] = Text("g"), ["x"] = string.Empty } },
            StartTimeoutMs = random.Next(3) == 0 ? 0 : random.NextInt64(1, long.MaxValue),
            CertificateProperties = Maybe() ? null : new CertificateProperties { OrganizationalUnit = { Text("ou") } },
            ImageUsername = Text("user"),
            ImagePassword = Text("secret"),
            CheckDefinition = Maybe() ? null : new CheckDefinition
            {
                Checks = { new Check { TcpCheck = new TCPCheck { Port = 8080, ConnectTimeoutMs = 100 } }, new Check { HttpCheck = new HTTPCheck { Port = 8080, Path = Text("/health") } } },
                LogSource = Text("HEALTH"),
            },
            LogRateLimit = Maybe() ? null : new LogRateLimit { BytesPerSecond = random.NextInt64(-1, 1 << 20) },
            UpdateStrategy = Maybe() ? DesiredLRP.Types.UpdateStrategy.Recreate : DesiredLRP.Types.UpdateStrategy.Rolling,
        };
        for (int n = random.Next(4); n > 0; n--)
        {
            lrp.EnvironmentVariables.Add(new EnvironmentVariable { Name = Text("NAME"), Value = Text("value") });
            lrp.Ports.Add((uint)random.Next(0, 70_000));
            lrp.EgressRules.Add(new SecurityGroupRule { Protocol = "tcp", Destinations = { Text("10.0.0.0/8") }, Ports = { 80, 443 }, PortRange = Maybe() ? null : new PortRange { Start = 1, End = 2 }, Log = Maybe() });
            lrp.CachedDependencies.Add(new CachedDependency { Name = Text("dep"), From = Text("http://dep"), To = Text("/dep"), CacheKey = Text("key") });
            lrp.VolumeMounts.Add(new VolumeMount { Driver = Text("driver"), ContainerDir = Text("/dir"), Mode = "r", Shared = Maybe() ? null : new SharedDevice { VolumeId = Text("vol") } });
            lrp.PlacementTags.Add(Text("tag"));
            lrp.ImageLayers.Add(new ImageLayer { Name = Text("layer"), Url = Text("http://layer"), DestinationPath = "/", LayerType = ImageLayer.Types.Type.Shared, MediaType = ImageLayer.Types.MediaType.Tgz, DigestAlgorithm = ImageLayer.Types.DigestAlgorithm.Sha256, DigestValue = Text("digest") });
            lrp.Sidecars.Add(new Sidecar { Action = AnAction(), DiskMb = Number(), MemoryMb = Number() });
            lrp.VolumeMountedFiles.Add(new Bbs.Models.File { Path = Text("/file"), Content = Text("content") });
            lrp.MetricTags[Text("tag") + n] = new MetricTagValue { Static = Text("static"), Dynamic = (MetricTagValue.Types.DynamicValue)random.Next(3) };
        }

        if (random.Next(3) > 0)
        {
            // NEW's metrics_guid source: set, empty, or a dynamic value only.
            lrp.MetricTags["source_id"] = random.Next(3) switch
            {
                0 => new MetricTagValue(),
                1 => new MetricTagValue { Dynamic = MetricTagValue.Types.DynamicValue.Index },
                _ => new MetricTagValue { Static = Text("source") },
            };
        }

        var info = DesiredLrpParts.SchedulingInfo(lrp, new ModificationTag { Epoch = Text("epoch"), Index = (uint)random.Next(0, 1000) });
        var run = DesiredLrpParts.RunInfo(lrp, random.NextInt64());
        switch (random.Next(5))
        {
            case 0:
                info.Routes = null;
                break;
            case 1:
                info.ModificationTag = null;
                info.DesiredLrpResource = null;
                break;
            case 2:
                info.DesiredLrpKey = null;
                run.DesiredLrpKey = null;
                break;
        }

        return (info, run);
    }
}
