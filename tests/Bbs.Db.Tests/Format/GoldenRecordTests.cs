using System.Text;
using Bbs.Models;

namespace Bbs.Db.Tests.Format;

public sealed class GoldenRecordTests
{
    // The envelope of Records.SmallActualLrp(), derived by hand:
    private static readonly byte[] SmallActualLrpEnvelope = Hex(
        "02 00",                         // format PROTO = 2, version 0 (ActualLRP)
        "0a 09",                         // field 1 actual_lrp_key LEN: (1<<3)|2 = 0x0a, 9 bytes:
        "   0a 02 7067",                 //   process_guid "pg"
        "   10 01",                      //   index 1
        "   1a 01 64",                   //   domain "d"
        "32 09 554e434c41494d4544",      // field 6 state LEN: (6<<3)|2 = 0x32, 9, "UNCLAIMED"
        "40 e807");                      // field 8 since VARINT: (8<<3)|0 = 0x40; 1000 = 7*128 + 104 -> 0xe8, 0x07
                                         // unset instance key, net info and zero scalars are not written

    [Fact]
    public void AnUnencodedValueIsTheAsciiPrefixZeroZeroThenTheEnvelope()
    {
        var value = Records.Plain().Serialize(Records.SmallActualLrp());

        Assert.Equal([.. "00"u8, .. SmallActualLrpEnvelope], value);
    }

    [Fact]
    public void ABase64ValueIsTheAsciiPrefixZeroOneThenPaddedStandardBase64OfTheEnvelope()
    {
        var value = Records.Encoded().Serialize(Records.SmallActualLrp());

        // 27 envelope bytes -> 36 base64 characters, no padding needed; computed independently.
        Assert.Equal("01AgAKCQoCcGcQARoBZDIJVU5DTEFJTUVEQOgH", Encoding.ASCII.GetString(value));
        Assert.Equal(SmallActualLrpEnvelope, Convert.FromBase64String(Encoding.ASCII.GetString(value, 2, value.Length - 2)));
    }

    [Fact]
    public void TheGoldenUnencodedValueReadsBackAsTheSmallActualLrp() =>
        Assert.Equal(Records.SmallActualLrp(), Records.Plain().Deserialize<ActualLRP>([.. "00"u8, .. SmallActualLrpEnvelope]));

    [Fact]
    public void AValueWithPaddingReadsBack()
    {
        var lrp = Records.SmallActualLrp();
        lrp.CrashCount = 1; // 29 envelope bytes: base64 ends in one '='
        var value = Records.Encoded().Serialize(lrp);

        Assert.Equal((byte)'=', value[^1]);
        Assert.Equal(lrp, Records.Encoded().Deserialize<ActualLRP>(value));
    }

    internal static byte[] Hex(params string[] parts) =>
        Convert.FromHexString(string.Concat(parts).Replace(" ", string.Empty, StringComparison.Ordinal));
}
