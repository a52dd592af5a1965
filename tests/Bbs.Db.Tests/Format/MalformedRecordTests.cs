using System.Text;
using Bbs.Db.Format;
using Bbs.Models;
using Google.Protobuf;

namespace Bbs.Db.Tests.Format;

public sealed class MalformedRecordTests
{
    public static TheoryData<string, byte[], RecordFormatFailure> Garbage => new()
    {
        { "an empty value", [], RecordFormatFailure.MalformedPayload },
        { "a lone digit", "0"u8.ToArray(), RecordFormatFailure.MalformedPayload },
        { "text that is not JSON", "hello"u8.ToArray(), RecordFormatFailure.MalformedPayload },
        { "an unknown encoding prefix", "07AAAA"u8.ToArray(), RecordFormatFailure.UnknownEncoding },
        { "a digit then a letter", "0x"u8.ToArray(), RecordFormatFailure.UnknownEncoding },
        { "base64 with illegal characters", "01!!!!"u8.ToArray(), RecordFormatFailure.MalformedBase64 },
        { "base64 without its padding", "01AgA"u8.ToArray(), RecordFormatFailure.MalformedBase64 },
        { "base64 of text that is not JSON", "01QUJD"u8.ToArray(), RecordFormatFailure.MalformedPayload },
        { "an encrypted value with no bytes", "02"u8.ToArray(), RecordFormatFailure.MalformedCiphertext },
        { "an encrypted value shorter than its label", Encrypted([200, 1, 2, 3]), RecordFormatFailure.MalformedCiphertext },
        { "an encrypted value without a full tag", Encrypted([2, .. "k1"u8, .. new byte[12], 1, 2, 3]), RecordFormatFailure.MalformedCiphertext },
        { "an encrypted value with an unknown label", Encrypted([2, .. "zz"u8, .. new byte[40]]), RecordFormatFailure.UnknownKeyLabel },
        { "an encrypted value that does not authenticate", Encrypted([2, .. "k1"u8, .. new byte[40]]), RecordFormatFailure.DecryptionFailed },
        { "an envelope with an empty field tag", [.. "00"u8, 2, 0, 0x00], RecordFormatFailure.MalformedPayload },
        { "an envelope whose length runs past the end", [.. "00"u8, 2, 0, 0x0a, 0x7f, 0x01], RecordFormatFailure.MalformedPayload },
        { "an envelope with a truncated varint", [.. "00"u8, 2, 0, 0x40, 0xff], RecordFormatFailure.MalformedPayload },
        { "a JSON envelope of broken JSON", [.. "00"u8, 1, 0, .. "{\"state\":"u8], RecordFormatFailure.MalformedPayload },
        { "JSON of the wrong shape", """{"since":"soon"}"""u8.ToArray(), RecordFormatFailure.MalformedPayload },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public void GarbageIsATypedError(string name, byte[] value, RecordFormatFailure failure)
    {
        var e = Assert.Throws<RecordFormatException>(() => Records.Encrypted().Deserialize<ActualLRP>(value));

        Assert.True(failure == e.Failure, $"{name}: {e.Failure} ({e.Message})");
    }

    [Theory]
    [MemberData(nameof(Garbage))]
    public void OpeningFailuresAnswerFailedToOpenEnvelopeAndPayloadFailuresInvalidRecord(string name, byte[] value, RecordFormatFailure failure)
    {
        _ = name;
        var e = Assert.Throws<RecordFormatException>(() => Records.Encrypted().Deserialize<ActualLRP>(value));

        var expected = failure == RecordFormatFailure.MalformedPayload ? Error.Types.Type.InvalidRecord : Error.Types.Type.FailedToOpenEnvelope;
        Assert.Equal(expected, e.Error.Type);
        Assert.NotEmpty(e.Error.Message);
    }

    [Fact]
    public void RandomBytesNeverEscapeAsAnotherExceptionType()
    {
        var random = new Random(20160201);
        string[] prefixes = ["", "00", "01", "02", "00\u0002\u0000", "00\u0001\u0000"];
        var serializer = Records.Encrypted();
        for (var i = 0; i < 5000; i++)
        {
            var tail = new byte[random.Next(0, 64)];
            random.NextBytes(tail);
            var prefix = Encoding.Latin1.GetBytes(prefixes[i % prefixes.Length]);
            byte[] value = prefix[..Math.Min(2, prefix.Length)] is [(byte)'0', (byte)'1' or (byte)'2']
                ? [.. prefix, .. Encoding.ASCII.GetBytes(Convert.ToBase64String(tail))]
                : [.. prefix, .. tail];

            foreach (var read in new Func<object>[]
            {
                () => serializer.Deserialize<ActualLRP>(value),
                () => serializer.Deserialize<Bbs.Models.Task>(value),
                () => serializer.Deserialize<DesiredLRPSchedulingInfo>(value),
                () => serializer.Deserialize<DesiredLRPRunInfo>(value),
                () => serializer.Reencode(value),
            })
            {
                try
                {
                    read();
                }
                catch (RecordFormatException)
                {
                }
            }
        }
    }

    [Fact]
    public void AStoredRecordThatFailsValidationIsAnInvalidRecordWithBbsText()
    {
        var lrp = Records.SmallActualLrp();
        lrp.Since = 0;
        byte[] value = [.. "00"u8, 2, 0, .. lrp.ToByteArray()];

        var e = Assert.Throws<RecordFormatException>(() => Records.Plain().Deserialize<ActualLRP>(value));

        Assert.Equal(RecordFormatFailure.InvalidRecord, e.Failure);
        Assert.Equal(Error.Types.Type.InvalidRecord, e.Error.Type);
        Assert.Equal("Invalid field: since", e.Error.Message);
    }

    [Fact]
    public void AnInvalidModelIsNotWritten()
    {
        var task = Records.Task();
        task.TaskGuid = "has a space";

        var e = Assert.Throws<RecordFormatException>(() => Records.Encrypted().Serialize(task));

        Assert.Equal(Error.Types.Type.InvalidRecord, e.Error.Type);
        Assert.Equal("Invalid field: task_guid", e.Error.Message);
    }

    [Fact]
    public void ValidationCanBeTurnedOffForToolsThatHandleInvalidRecords()
    {
        var serializer = new RecordSerializer(new RecordFormatOptions { ValidateRecords = false });
        var lrp = new ActualLRP { State = "NOT A STATE" };

        Assert.Equal(lrp, serializer.Deserialize<ActualLRP>(serializer.Serialize(lrp)));
    }

    [Fact]
    public void ATaskReadAsAnActualLrpIsRefused()
    {
        var value = Records.Plain().Serialize(Records.Task());

        Assert.Throws<RecordFormatException>(() => Records.Plain().Deserialize<ActualLRP>(value));
    }

    private static byte[] Encrypted(byte[] sealedBytes) => Encoding.ASCII.GetBytes("02" + Convert.ToBase64String(sealedBytes));
}
