namespace Bbs.Models.Tests;

public sealed class ActualLrpGoldenTests
{
    [Fact]
    public void ActualLrpKeyWithIndexZeroOmitsTheIndex() =>
        WireAssert.Encodes(
            new ActualLRPKey { ProcessGuid = "pg", Index = 0, Domain = "d" },
            "0a 02 7067", // field 1 process_guid LEN: (1<<3)|2 = 0x0a, 2, "pg"
            "1a 01 64");  // field 3 domain LEN: (3<<3)|2 = 0x1a, 1, "d"; index 0 is not written

    [Fact]
    public void ActualLrpKeyWithNonZeroIndexWritesIt() =>
        WireAssert.Encodes(
            new ActualLRPKey { ProcessGuid = "pg", Index = 3, Domain = "d" },
            "0a 02 7067",
            "10 03",      // field 2 index VARINT: (2<<3)|0 = 0x10, 3
            "1a 01 64");

    [Fact]
    public void NegativeIndexIsATenByteVarint() =>
        WireAssert.Encodes(
            new ActualLRPKey { Index = -1 },
            "10 ffffffffffffffffff01"); // int32 -1 is sign-extended to 64 bits: nine 0xff, then 0x01

    [Fact]
    public void RunningActualLrpWithNetInfoAndPorts() =>
        WireAssert.Encodes(
            new ActualLRP
            {
                ActualLrpKey = new ActualLRPKey { ProcessGuid = "pg", Index = 1, Domain = "d" },
                ActualLrpInstanceKey = new ActualLRPInstanceKey { InstanceGuid = "ig", CellId = "c1" },
                ActualLrpNetInfo = new ActualLRPNetInfo
                {
                    Address = "1.2.3.4",
                    Ports = { new PortMapping { ContainerPort = 8080, HostPort = 61000 } },
                },
                State = "RUNNING",
                Since = 1000,
                ModificationTag = new ModificationTag { Epoch = "e", Index = 2 },
                Routable = true,
            },
            "0a 09",                   // field 1 actual_lrp_key LEN: 0x0a, 9 bytes:
            "   0a 02 7067",           //   process_guid "pg"
            "   10 01",                //   index 1
            "   1a 01 64",             //   domain "d"
            "12 08",                   // field 2 actual_lrp_instance_key LEN: (2<<3)|2 = 0x12, 8 bytes:
            "   0a 02 6967",           //   instance_guid "ig"
            "   12 02 6331",           //   cell_id "c1"
            "1a 12",                   // field 3 actual_lrp_net_info LEN: (3<<3)|2 = 0x1a, 18 bytes:
            "   0a 07 312e322e332e34", //   address "1.2.3.4"
            "   12 07",                //   ports[0] PortMapping LEN: 0x12, 7 bytes:
            "      08 903f",           //     container_port: 8080 = 63*128 + 16 -> 0x90 (16|0x80), 0x3f
            "      10 c8dc03",         //     host_port: 61000 = 3*128^2 + 92*128 + 72 -> 0xc8, 0xdc, 0x03
            "32 07 52554e4e494e47",    // field 6 state LEN: (6<<3)|2 = 0x32, 7, "RUNNING" (a string, not an enum)
            "40 e807",                 // field 8 since VARINT: (8<<3)|0 = 0x40; 1000 = 7*128 + 104 -> 0xe8, 0x07
            "4a 05",                   // field 9 modification_tag LEN: (9<<3)|2 = 0x4a, 5 bytes:
            "   0a 01 65",             //   epoch "e"
            "   10 02",                //   index 2
            "68 01");                  // field 13 routable VARINT: (13<<3)|0 = 0x68, true; crash_count 0 omitted

    [Fact]
    public void RoutableFalseIsStillWrittenBecauseItHasPresence() =>
        WireAssert.Encodes(
            new ActualLRP { Routable = false },
            "68 00"); // proto3 optional: an explicitly set false is written

    [Fact]
    public void ClaimActualLrpRequestWithIndexZero() =>
        WireAssert.Encodes(
            new ClaimActualLRPRequest
            {
                ProcessGuid = "pg",
                Index = 0,
                ActualLrpInstanceKey = new ActualLRPInstanceKey { InstanceGuid = "ig", CellId = "c1" },
            },
            "0a 02 7067",      // field 1 process_guid "pg"; field 2 index 0 omitted
            "1a 08",           // field 3 actual_lrp_instance_key LEN: 0x1a, 8 bytes:
            "   0a 02 6967",   //   instance_guid "ig"
            "   12 02 6331");  //   cell_id "c1"

    [Fact]
    public void ClaimActualLrpRequestWithNonZeroIndex() =>
        WireAssert.Encodes(
            new ClaimActualLRPRequest { ProcessGuid = "pg", Index = 2 },
            "0a 02 7067",
            "10 02"); // field 2 index VARINT: 0x10, 2

    [Fact]
    public void ActualLrpsRequestWritesAnExplicitIndexZero() =>
        WireAssert.Encodes(
            new ActualLRPsRequest { ProcessGuid = "pg", Index = 0 },
            "1a 02 7067", // field 3 process_guid LEN: 0x1a, "pg"
            "20 00");     // field 4 index VARINT: (4<<3)|0 = 0x20, 0 -- present, so "only index 0"

    [Fact]
    public void ActualLrpCrashedEvent() =>
        WireAssert.Encodes(
            new ActualLRPCrashedEvent
            {
                ActualLrpKey = new ActualLRPKey { ProcessGuid = "pg", Index = 0, Domain = "d" },
                ActualLrpInstanceKey = new ActualLRPInstanceKey { InstanceGuid = "ig", CellId = "c1" },
                CrashCount = 1,
                CrashReason = "oom",
                Since = 1000,
            },
            "0a 07",           // field 1 actual_lrp_key LEN: 0x0a, 7 bytes:
            "   0a 02 7067",   //   process_guid "pg" (index 0 omitted)
            "   1a 01 64",     //   domain "d"
            "12 08",           // field 2 actual_lrp_instance_key LEN: 0x12, 8 bytes:
            "   0a 02 6967",
            "   12 02 6331",
            "18 01",           // field 3 crash_count VARINT: (3<<3)|0 = 0x18, 1
            "22 03 6f6f6d",    // field 4 crash_reason LEN: (4<<3)|2 = 0x22, 3, "oom"
            "28 e807");        // field 5 since VARINT: (5<<3)|0 = 0x28, 1000

    [Fact]
    public void ActualLrpGroupPutsAnEvacuatingRecordInFieldTwo() =>
        WireAssert.Encodes(
            new ActualLRPRemovedEvent
            {
                ActualLrpGroup = new ActualLRPGroup
                {
                    Evacuating = new ActualLRP { Presence = ActualLRP.Types.Presence.Evacuating },
                },
            },
            "0a 04",         // field 1 actual_lrp_group LEN: 0x0a, 4 bytes:
            "   12 02",      //   field 2 evacuating LEN: 0x12, 2 bytes:
            "      50 01");  //     field 10 presence VARINT: (10<<3)|0 = 0x50, EVACUATING = 1
}
