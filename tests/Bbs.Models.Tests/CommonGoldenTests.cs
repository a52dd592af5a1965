namespace Bbs.Models.Tests;

// Tag byte = (field_number << 3) | wire_type; wire types: 0 VARINT, 2 LEN (length-prefixed).
// Field numbers 16 and above need a two-byte varint tag.
public sealed class CommonGoldenTests
{
    [Fact]
    public void PingResponseAvailableIsOneVarintField() =>
        WireAssert.Encodes(
            new PingResponse { Available = true },
            "08 01"); // field 1 VARINT: (1<<3)|0 = 0x08, true = 1

    [Fact]
    public void ErrorCarriesTypeAsVarintAndMessageAsLengthDelimited() =>
        WireAssert.Encodes(
            new Error { Type = Error.Types.Type.InvalidRequest, Message = "bad" },
            "08 04",          // field 1 type VARINT: 0x08, InvalidRequest = 4
            "12 03 626164");  // field 2 message LEN: (2<<3)|2 = 0x12, length 3, "bad"

    [Fact]
    public void UnknownErrorOmitsTheZeroType() =>
        WireAssert.Encodes(
            new Error { Type = Error.Types.Type.UnknownError, Message = "x" },
            "12 01 78"); // type 0 is the proto3 default and is not written; only "x"

    [Fact]
    public void ModificationTagEncodesEpochThenIndex() =>
        WireAssert.Encodes(
            new ModificationTag { Epoch = "abc", Index = 5 },
            "0a 03 616263", // field 1 epoch LEN: (1<<3)|2 = 0x0a, length 3, "abc"
            "10 05");       // field 2 index VARINT: (2<<3)|0 = 0x10, 5

    [Fact]
    public void UpsertDomainRequestCarriesDomainAndTtlSeconds() =>
        WireAssert.Encodes(
            new UpsertDomainRequest { Domain = "cf-apps", Ttl = 120 },
            "0a 07 63662d61707073", // field 1 domain LEN: 0x0a, length 7, "cf-apps"
            "10 78");               // field 2 ttl VARINT: 0x10, 120 = 0x78

    [Fact]
    public void SecurityGroupRuleWritesOneTagPerPort() =>
        WireAssert.Encodes(
            new SecurityGroupRule
            {
                Protocol = "tcp",
                Destinations = { "0.0.0.0/0" },
                Ports = { 80, 443 },
                PortRange = new PortRange { Start = 8000, End = 9000 },
                Log = true,
            },
            "0a 03 746370",               // field 1 protocol LEN: 0x0a, 3, "tcp"
            "12 09 302e302e302e302f30",   // field 2 destinations LEN: 0x12, 9, "0.0.0.0/0"
            "18 50",                      // field 3 ports VARINT (unpacked): (3<<3)|0 = 0x18, 80 = 0x50
            "18 bb03",                    // again 0x18; 443 = 3*128 + 59 -> 0xbb (59|0x80), 0x03
            "22 06",                      // field 4 port_range LEN: (4<<3)|2 = 0x22, 6 bytes:
            "   08 c03e",                 //   start: 0x08; 8000 = 62*128 + 64 -> 0xc0 (64|0x80), 0x3e
            "   10 a846",                 //   end: 0x10; 9000 = 70*128 + 40 -> 0xa8 (40|0x80), 0x46
            "30 01");                     // field 6 log VARINT: (6<<3)|0 = 0x30, true

    [Fact]
    public void StartTaskResponseShouldStartIsFieldTwo() =>
        WireAssert.Encodes(
            new StartTaskResponse { ShouldStart = true },
            "10 01"); // field 2 VARINT: (2<<3)|0 = 0x10, true; field 1 (error) absent

    [Fact]
    public void EventsByCellIdIsTheCellIdString() =>
        WireAssert.Encodes(
            new EventsByCellId { CellId = "c1" },
            "0a 02 6331"); // field 1 LEN: 0x0a, 2, "c1"

    [Fact]
    public void UpsertCellRequestNestsThePresenceAndAddsTtl() =>
        WireAssert.Encodes(
            new UpsertCellRequest
            {
                CellPresence = new CellPresence
                {
                    CellId = "c1",
                    Capacity = new CellCapacity { MemoryMb = 1024, Containers = 3 },
                },
                Ttl = 30,
            },
            "0a 0b",         // field 1 cell_presence LEN: 0x0a, 11 bytes:
            "   0a 02 6331", //   cell_id: 0x0a, 2, "c1"
            "   22 05",      //   capacity: (4<<3)|2 = 0x22, 5 bytes:
            "      08 8008", //     memory_mb: 0x08; 1024 = 8*128 -> 0x80, 0x08
            "      18 03",   //     containers: (3<<3)|0 = 0x18, 3
            "10 1e");        // field 2 ttl VARINT: 0x10, 30 = 0x1e
}
