using System.Text;
using Bbs.Db.Format;
using Bbs.Models;
using Google.Protobuf;

namespace Bbs.Fuzz;

/// <summary>
/// The seed corpus: for every target, valid inputs built from the golden wire tests' and validation tests' values
/// (tests/Bbs.Models.Tests, tests/Bbs.Db.Tests/Format), so the fuzzer starts past the decoder into validation.
/// <c>Bbs.Fuzz seed DIR</c> writes them; the committed copy is tests/Bbs.Fuzz/corpus/seed.
/// </summary>
public static class Seeds
{
    // GoldenRecordTests: the small ActualLRP's envelope, derived by hand there.
    private static readonly byte[] SmallActualLrpEnvelope = Convert.FromHexString("0200" + "0a090a02706710011a0164" + "3209554e434c41494d4544" + "40e807");

    // EncryptionTests: the same ActualLRP encrypted under k1 ("correct horse"), computed outside .NET.
    private const string KnownEncryptedSmallActualLrp =
        "02AmsxAAECAwQFBgcICQoLDcf2aQFGE0b59RmzG1Qa5N96jZgBp2zTLrNXr35nCPzbblSvP4ZsobJ/Tg==";

    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default);

    /// <summary>Every seed as (file name, bytes): the target's selector byte, then the body.</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> All()
    {
        foreach (var message in Messages.Requests())
        {
            var type = message.Descriptor.Name;
            yield return Seed($"{type}.proto", message.ToByteArray());
            yield return Seed($"{type}.json", Encoding.UTF8.GetBytes(Json.Format(message)));
        }

        var cell = new EventsByCellId { CellId = "cell-1" };
        yield return Seed("EventsByCellId.proto", cell.ToByteArray());
        yield return Seed("EventsByCellId.json", Encoding.UTF8.GetBytes(Json.Format(cell)));

        foreach (var record in Messages.Records())
        {
            foreach (var seed in RecordSeeds(record))
            {
                yield return seed;
            }
        }

        yield return Seed("ActualLRP.record", [.. "00"u8, .. SmallActualLrpEnvelope], "golden");
        yield return Seed("ActualLRP.record-keyed", Encoding.ASCII.GetBytes(KnownEncryptedSmallActualLrp), "golden");
        yield return Seed("ActualLRP.record-sealed", [.. "00"u8, .. SmallActualLrpEnvelope], "golden");
    }

    /// <summary>Writes every seed into <paramref name="directory"/>, replacing what is there.</summary>
    public static int Write(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            System.IO.File.Delete(file);
        }

        var count = 0;
        foreach (var (name, bytes) in All())
        {
            System.IO.File.WriteAllBytes(Path.Combine(directory, name), bytes);
            count++;
        }

        return count;
    }

    /// <summary>
    /// An afl-fuzz dictionary of the JSON names of every field and enum value reachable from the fuzzed messages, so
    /// JSON mutations splice in names the parser knows. <c>Bbs.Fuzz dict FILE</c> writes it.
    /// </summary>
    public static IEnumerable<string> DictionaryEntries()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Google.Protobuf.Reflection.MessageDescriptor>(
            Messages.Requests().Concat(Messages.Records()).Select(m => m.Descriptor));
        var visited = new HashSet<string>(StringComparer.Ordinal);
        while (pending.TryPop(out var descriptor))
        {
            if (!visited.Add(descriptor.FullName))
            {
                continue;
            }

            foreach (var field in descriptor.Fields.InDeclarationOrder())
            {
                seen.Add(field.JsonName);
                if (field.FieldType == Google.Protobuf.Reflection.FieldType.Message)
                {
                    pending.Push(field.MessageType);
                }
                else if (field.FieldType == Google.Protobuf.Reflection.FieldType.Enum)
                {
                    seen.UnionWith(field.EnumType.Values.Select(v => v.Name));
                }
            }
        }

        return seen.Order(StringComparer.Ordinal).Select(name => $"\"\\\"{name}\\\"\"");
    }

    private static IEnumerable<(string, byte[])> RecordSeeds(IMessage record)
    {
        var type = record.Descriptor.Name;
        var envelope = new byte[] { 2, Version(record) }.Concat(record.ToByteArray()).ToArray();
        var jsonModel = Encoding.UTF8.GetBytes(Json.Format(record));
        var plain = (byte[])[.. "00"u8, .. envelope];

        yield return Seed($"{type}.record", plain, "00");
        yield return Seed($"{type}.record", [.. "01"u8, .. Encoding.ASCII.GetBytes(Convert.ToBase64String(envelope))], "01");
        yield return Seed($"{type}.record", [.. "00"u8, 1, 0, .. jsonModel], "json-envelope");
        yield return Seed($"{type}.record", jsonModel, "legacy-json");
        yield return Seed($"{type}.record-keyed", Sealed(envelope), "02");
        yield return Seed($"{type}.record-sealed", plain, "00");
    }

    // E16's versions: 1 for DesiredLRPRunInfo and Task (DesiredLRP is never stored whole), 0 for the rest.
    private static byte Version(IMessage record) => record is DesiredLRPRunInfo or Bbs.Models.Task ? (byte)1 : (byte)0;

    private static byte[] Sealed(byte[] envelope)
    {
        var sealer = new RecordSerializer(new RecordFormatOptions
        {
            EncryptionKeys = ["k1:correct horse", "k2:battery staple"],
            ActiveKeyLabel = "k1",
        });
        return sealer.Reencode([.. "00"u8, .. envelope]);
    }

    private static (string, byte[]) Seed(string target, byte[] body, string? variant = null) =>
        (variant is null ? target : $"{target}.{variant}", [FuzzTargets.SelectorOf(target), .. body]);
}
