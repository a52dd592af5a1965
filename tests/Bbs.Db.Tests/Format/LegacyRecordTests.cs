using System.Text;
using Bbs.Models;
using Google.Protobuf;

namespace Bbs.Db.Tests.Format;

public sealed class LegacyRecordTests
{
    private const string SmallActualLrpJson =
        """{"actual_lrp_key":{"process_guid":"pg","index":1,"domain":"d"},"state":"UNCLAIMED","since":1000,"written_by":"an older bbs"}""";

    [Fact]
    public void AValueWithoutPrefixOrEnvelopeIsLegacyJson() =>
        Assert.Equal(Records.SmallActualLrp(), Records.Plain().Deserialize<ActualLRP>(Encoding.UTF8.GetBytes(SmallActualLrpJson)));

    [Fact]
    public void AJsonEnvelopeBehindTheUnencodedPrefixIsRead()
    {
        byte[] value = [.. "00"u8, 1, 0, .. Encoding.UTF8.GetBytes(SmallActualLrpJson)];

        Assert.Equal(Records.SmallActualLrp(), Records.Plain().Deserialize<ActualLRP>(value));
    }

    [Fact]
    public void AJsonEnvelopeBehindTheBase64PrefixIsRead()
    {
        var value = Encoding.ASCII.GetBytes("01" + Convert.ToBase64String([1, 0, .. Encoding.UTF8.GetBytes(SmallActualLrpJson)]));

        Assert.Equal(Records.SmallActualLrp(), Records.Plain().Deserialize<ActualLRP>(value));
    }

    [Fact]
    public void LegacyJsonBehindAPrefixIsRead()
    {
        // E16's migrations re-encoded old values without touching the payload: "01" + base64 of bare JSON.
        var value = Encoding.ASCII.GetBytes("01" + Convert.ToBase64String(Encoding.UTF8.GetBytes(SmallActualLrpJson)));

        Assert.Equal(Records.SmallActualLrp(), Records.Plain().Deserialize<ActualLRP>(value));
    }

    [Fact]
    public void AJsonEnvelopeOfATaskInTheProto3JsonFormReadsBack()
    {
        var json = JsonFormatter.Default.Format(Records.Task());
        byte[] value = [.. "00"u8, 1, 1, .. Encoding.UTF8.GetBytes(json)];

        Assert.Equal(Records.Task(), Records.Plain().Deserialize<Bbs.Models.Task>(value));
    }

    [Fact]
    public void AnEnvelopeWithAnUnknownVersionIsTakenForLegacyJsonAndRefused()
    {
        byte[] value = [.. "00"u8, 2, 9, .. Records.SmallActualLrp().ToByteArray()];

        var e = Assert.Throws<Bbs.Db.Format.RecordFormatException>(() => Records.Plain().Deserialize<ActualLRP>(value));

        Assert.Equal(Error.Types.Type.InvalidRecord, e.Error.Type);
    }
}
