namespace Bbs.Models.Tests;

// E15/E16 peers are proto2 (gogo): every non-nullable scalar is written even when zero, and
// non-nullable embedded messages are written even when empty. These bytes must decode to the same
// values as the proto3 form.
public sealed class Proto2PeerDecodeTests
{
    [Fact]
    public void ErrorWithExplicitZeroTypeAndEmptyMessage()
    {
        var error = WireAssert.Decode<Error>(
            "08 00",  // type = UnknownError, written explicitly
            "12 00"); // message = "", written explicitly

        Assert.Equal(Error.Types.Type.UnknownError, error.Type);
        Assert.Equal("", error.Message);
    }

    [Fact]
    public void ActualLrpWithEveryZeroScalarWrittenOut()
    {
        var lrp = WireAssert.Decode<ActualLRP>(
            "0a 09 0a027067 1000 1a0164", // key: index 0 written as 10 00
            "12 04 0a00 1200",            // instance key with two empty strings
            "1a 02 0a00",                 // net info with an empty address
            "20 00",                      // crash_count 0
            "2a 00",                      // crash_reason ""
            "32 09 554e434c41494d4544",   // state "UNCLAIMED"
            "3a 00",                      // placement_error ""
            "40 e807",                    // since 1000
            "4a 05 0a0165 1000");         // modification tag {e, 0}

        Assert.Equal(new ActualLRPKey { ProcessGuid = "pg", Index = 0, Domain = "d" }, lrp.ActualLrpKey);
        Assert.Equal(new ActualLRPInstanceKey(), lrp.ActualLrpInstanceKey);
        Assert.Equal("", lrp.ActualLrpNetInfo.Address);
        Assert.Equal(0, lrp.CrashCount);
        Assert.Equal("UNCLAIMED", lrp.State);
        Assert.Equal(1000, lrp.Since);
        Assert.Equal(new ModificationTag { Epoch = "e", Index = 0 }, lrp.ModificationTag);
        Assert.False(lrp.HasRoutable); // E16 never sends field 13
        Assert.Equal(ActualLRP.Types.Presence.Ordinary, lrp.Presence);
    }

    [Fact]
    public void ReencodingAProto2ActualLrpDropsTheExplicitZeros()
    {
        var lrp = WireAssert.Decode<ActualLRP>(
            "0a 09 0a027067 1000 1a0164", "12 04 0a00 1200", "20 00", "32 09 554e434c41494d4544");

        WireAssert.Encodes(
            lrp,
            "0a 07 0a027067 1a0164", // index 0 dropped
            "12 00",                 // embedded message kept, empty strings dropped
            "32 09 554e434c41494d4544");
    }

    [Fact]
    public void DesiredLrpPortsAreAcceptedUnpacked()
    {
        var lrp = WireAssert.Decode<DesiredLRP>("70 50", "70 51");

        Assert.Equal([80u, 81u], lrp.Ports);
    }

    [Fact]
    public void DesiredLrpPortsAreAcceptedPacked()
    {
        // field 14 as LEN: (14<<3)|2 = 0x72, 2 bytes of varints 80, 81
        var lrp = WireAssert.Decode<DesiredLRP>("72 02 5051");

        Assert.Equal([80u, 81u], lrp.Ports);
    }

    [Fact]
    public void PackedAndUnpackedPortsMayBeMixed()
    {
        var info = WireAssert.Decode<DesiredLRPRunInfo>(
            "48 50",        // field 9 unpacked: (9<<3)|0 = 0x48, 80
            "4a 03 bb0350"); // field 9 packed: (9<<3)|2 = 0x4a, 3 bytes: 443, 80

        Assert.Equal([80u, 443u, 80u], info.Ports);
    }

    [Fact]
    public void SecurityGroupRulePackedPortsReencodeUnpacked()
    {
        var rule = WireAssert.Decode<SecurityGroupRule>("1a 03 50bb03"); // field 3 packed: 80, 443

        WireAssert.Encodes(rule, "18 50", "18 bb03");
    }

    [Fact]
    public void E16RoutesBytesFieldDecodesAsProtoRoutes()
    {
        // E16 declares routes as `bytes` holding a marshalled ProtoRoutes: the same wire form.
        var info = WireAssert.Decode<DesiredLRPSchedulingInfo>(
            "2a 0b",            // field 5 routes LEN: (5<<3)|2 = 0x2a, 11 bytes:
            "   0a 09",         //   map entry, 9 bytes:
            "      0a 03 746370", //   key "tcp"
            "      12 02 5b5d");  //   value "[]"

        Assert.Equal("[]", info.Routes.Routes["tcp"].ToStringUtf8());
    }

    [Fact]
    public void StartTaskResponseFromAProto2PeerWithFalseShouldStart()
    {
        var response = WireAssert.Decode<StartTaskResponse>("10 00");

        Assert.False(response.ShouldStart);
        Assert.Null(response.Error);
    }

    [Fact]
    public void E16EvacuateRunningRequestCarriesTtlInFieldFour()
    {
        var request = WireAssert.Decode<EvacuateRunningActualLRPRequest>("20 d804"); // field 4 ttl VARINT: 0x20; 600 = 4*128 + 88 -> 0xd8, 0x04

        Assert.Equal(600ul, request.Ttl);
        Assert.False(request.HasRoutable);
    }

    [Fact]
    public void UnknownFieldsFromANewerPeerAreSkipped()
    {
        var key = WireAssert.Decode<ActualLRPKey>(
            "0a 02 7067",
            "f807 01",   // field 127 VARINT: (127<<3)|0 = 1016 -> 0xf8 0x07, value 1
            "1a 01 64");

        Assert.Equal("pg", key.ProcessGuid);
        Assert.Equal("d", key.Domain);
    }
}
