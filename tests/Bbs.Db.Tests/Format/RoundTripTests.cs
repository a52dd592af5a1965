using Bbs.Db.Format;
using Bbs.Models;
using Google.Protobuf;

namespace Bbs.Db.Tests.Format;

public sealed class RoundTripTests
{
    public static TheoryData<RecordEncoding> Encodings => [RecordEncoding.Unencoded, RecordEncoding.Base64, RecordEncoding.Encrypted];

    [Theory]
    [MemberData(nameof(Encodings))]
    public void AnActualLrpReadsBackAsWritten(RecordEncoding encoding) =>
        AssertRoundTrip(encoding, Records.RunningActualLrp(), expectedVersion: 0);

    [Theory]
    [MemberData(nameof(Encodings))]
    public void AnUnclaimedActualLrpReadsBackAsWritten(RecordEncoding encoding) =>
        AssertRoundTrip(encoding, Records.SmallActualLrp(), expectedVersion: 0);

    [Theory]
    [MemberData(nameof(Encodings))]
    public void ASchedulingInfoReadsBackAsWritten(RecordEncoding encoding) =>
        AssertRoundTrip(encoding, Records.SchedulingInfo(), expectedVersion: 0);

    [Theory]
    [MemberData(nameof(Encodings))]
    public void ARunInfoReadsBackAsWritten(RecordEncoding encoding) =>
        AssertRoundTrip(encoding, Records.RunInfo(), expectedVersion: 1);

    [Theory]
    [MemberData(nameof(Encodings))]
    public void ATaskReadsBackAsWritten(RecordEncoding encoding) =>
        AssertRoundTrip(encoding, Records.Task(), expectedVersion: 1);

    [Fact]
    public void AWholeDesiredLrpIsWrittenAsVersionOne()
    {
        var lrp = new DesiredLRP { ProcessGuid = "pg", Domain = "d", RootFs = "preloaded:cflinuxfs4", Instances = 1 };
        var value = new RecordSerializer(new RecordFormatOptions { ValidateRecords = false }).Serialize(lrp);

        Assert.Equal("00"u8.ToArray(), value[..2]);
        Assert.Equal([2, 1], value[2..4]);
    }

    [Fact]
    public void TheWriteEncodingDefaultsToUnencodedWithoutKeysAndEncryptedWithThem()
    {
        Assert.Equal(RecordEncoding.Unencoded, Records.Plain().WriteEncoding);
        Assert.Equal(RecordEncoding.Encrypted, Records.Encrypted().WriteEncoding);
        Assert.Equal("k1", Records.Encrypted().ActiveKeyLabel);
        Assert.Null(Records.Plain().ActiveKeyLabel);
    }

    [Fact]
    public void EveryEncodingIsReadWhateverTheWriteEncoding()
    {
        var lrp = Records.RunningActualLrp();
        var values = new[] { RecordEncoding.Unencoded, RecordEncoding.Base64, RecordEncoding.Encrypted }.Select(e => Records.For(e).Serialize(lrp)).ToList();

        // A serializer with the key reads all three; without keys, the plain and base64 forms still read.
        foreach (var value in values)
        {
            Assert.Equal(lrp, Records.Encrypted().Deserialize<ActualLRP>(value));
        }

        Assert.Equal(lrp, Records.Plain().Deserialize<ActualLRP>(values[1]));
        Assert.Equal(lrp, Records.Encoded().Deserialize<ActualLRP>(values[0]));
    }

    [Fact]
    public void ReencodingRewritesAValueInTheWriteEncodingWithoutChangingTheModel()
    {
        var lrp = Records.RunningActualLrp();
        var plain = Records.Plain().Serialize(lrp);

        var encrypted = Records.Encrypted().Reencode(plain);

        Assert.Equal("02"u8.ToArray(), encrypted[..2]);
        Assert.Equal(lrp, Records.Encrypted().Deserialize<ActualLRP>(encrypted));
        Assert.Equal(plain, Records.Opener().Reencode(encrypted));
    }

    [Fact]
    public void ManyThreadsCanSerializeAndDeserializeAtOnce()
    {
        var serializer = Records.Encrypted();
        var task = Records.Task();

        Parallel.For(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
            Assert.Equal(task, serializer.Deserialize<Bbs.Models.Task>(serializer.Serialize(task))));
    }

    private static void AssertRoundTrip<T>(RecordEncoding encoding, T model, byte expectedVersion)
        where T : IMessage<T>, new()
    {
        var serializer = Records.For(encoding);
        var value = serializer.Serialize(model);

        Assert.Equal(model, serializer.Deserialize<T>(value));
        var envelope = Records.EnvelopeOf(value);
        Assert.Equal([Envelope.Proto, expectedVersion], envelope[..2]);
        Assert.Equal(model.ToByteArray(), envelope[2..]);
    }
}
