using Google.Protobuf;

namespace Bbs.Models.Tests;

public sealed class DesiredLrpGoldenTests
{
    [Fact]
    public void DesiredLrpWithUnpackedPortsRoutesAndATwoByteTag() =>
        WireAssert.Encodes(
            new DesiredLRP
            {
                ProcessGuid = "pg",
                Domain = "d",
                RootFs = "a:b",
                Instances = 2,
                Ports = { 80, 81 },
                Routes = new ProtoRoutes { Routes = { ["cf-router"] = ByteString.CopyFromUtf8("[]") } },
                ModificationTag = new ModificationTag { Epoch = "e", Index = 1 },
            },
            "0a 02 7067",                 // field 1 process_guid LEN: 0x0a, 2, "pg"
            "12 01 64",                   // field 2 domain LEN: 0x12, 1, "d"
            "1a 03 613a62",               // field 3 root_fs LEN: 0x1a, 3, "a:b"
            "20 02",                      // field 4 instances VARINT: (4<<3)|0 = 0x20, 2
            "70 50",                      // field 14 ports VARINT, unpacked: (14<<3)|0 = 0x70, 80 = 0x50
            "70 51",                      // one tag per port: 0x70, 81 = 0x51
            "7a 11",                      // field 15 routes LEN: (15<<3)|2 = 0x7a, 17 bytes (ProtoRoutes):
            "   0a 0f",                   //   field 1 map entry LEN: 0x0a, 15 bytes (a nested message):
            "      0a 09 63662d726f75746572", //   key = field 1 LEN: 0x0a, 9, "cf-router"
            "      12 02 5b5d",           //     value = field 2 LEN: 0x12, 2, "[]" (raw JSON bytes)
            "aa01 05",                    // field 21 modification_tag LEN: (21<<3)|2 = 170 -> varint 0xaa 0x01; 5 bytes:
            "   0a 01 65",                //   epoch "e"
            "   10 01");                  //   index 1

    [Fact]
    public void ProtoRoutesIsAMapOfStringToBytes() =>
        WireAssert.Encodes(
            new ProtoRoutes { Routes = { ["r"] = ByteString.CopyFromUtf8("{}") } },
            "0a 07",          // field 1 (map entry) LEN: 0x0a, 7 bytes:
            "   0a 01 72",    //   key "r"
            "   12 02 7b7d"); //   value "{}"

    [Fact]
    public void EmptyRoutesAreStillAnEmptyMessage() =>
        WireAssert.Encodes(
            new DesiredLRP { Routes = new ProtoRoutes() },
            "7a 00"); // field 15 LEN with length 0: NEW emits this when no routes were desired

    [Fact]
    public void DesiredLrpUpdateWritesPresentZeroValues() =>
        WireAssert.Encodes(
            new DesiredLRPUpdate { Instances = 0, Annotation = "" },
            "08 00",  // field 1 instances VARINT: 0x08, 0 -- set, so "scale to zero"
            "1a 00"); // field 3 annotation LEN: 0x1a, 0 -- set, so "clear the annotation"

    [Fact]
    public void EmptyDesiredLrpUpdateChangesNothingAndIsEmpty()
    {
        var update = new DesiredLRPUpdate();

        Assert.Empty(update.ToByteArray());
        Assert.False(update.HasInstances);
        Assert.False(update.HasAnnotation);
        Assert.Null(update.Routes);
    }

    [Fact]
    public void DesiredLrpPlacementTagsUseATwoByteTag() =>
        WireAssert.Encodes(
            new DesiredLRP { PlacementTags = { "iso" } },
            "e201 03 69736f"); // field 28 LEN: (28<<3)|2 = 226 -> varint 0xe2 0x01; 3, "iso"
}
