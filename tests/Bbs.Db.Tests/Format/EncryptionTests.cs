using System.Security.Cryptography;
using System.Text;
using Bbs.Db.Format;
using Bbs.Models;

namespace Bbs.Db.Tests.Format;

public sealed class EncryptionTests
{
    // "02" + base64([2]"k1"[nonce 00..0b][AES-256-GCM(SHA-256("correct horse"), envelope) + tag]) of the small
    // ActualLRP, computed outside .NET (Python's cryptography package, OpenSSL).
    private const string KnownEncryptedSmallActualLrp =
        "02AmsxAAECAwQFBgcICQoLDcf2aQFGE0b59RmzG1Qa5N96jZgBp2zTLrNXr35nCPzbblSvP4ZsobJ/Tg==";

    [Fact]
    public void AnEncryptedValueStartsWithAsciiZeroTwoAndDecryptsWithTheSameKey()
    {
        var serializer = Records.Encrypted();
        var task = Records.Task();

        var value = serializer.Serialize(task);

        Assert.Equal("02"u8.ToArray(), value[..2]);
        Assert.Equal(task, serializer.Deserialize<Bbs.Models.Task>(value));
    }

    [Fact]
    public void EncryptingTheSameModelTwiceUsesFreshNonces()
    {
        var serializer = Records.Encrypted();

        Assert.NotEqual(serializer.Serialize(Records.Task()), serializer.Serialize(Records.Task()));
    }

    [Fact]
    public void AValueEncryptedUnderAnOldLabelStillReadsAfterTheActiveLabelChanges()
    {
        var old = Records.Encrypted("old", "old:first phrase");
        var value = old.Serialize(Records.RunningActualLrp());

        var rotated = Records.Encrypted("new", "old:first phrase", "new:second phrase");

        Assert.Equal(Records.RunningActualLrp(), rotated.Deserialize<ActualLRP>(value));
        Assert.Equal("new", LabelOf(rotated.Reencode(value)));
        Assert.Equal("new", LabelOf(rotated.Serialize(Records.RunningActualLrp())));
    }

    [Fact]
    public void AnUnknownLabelIsATypedError()
    {
        var value = Records.Encrypted("other", "other:phrase").Serialize(Records.Task());

        var e = Assert.Throws<RecordFormatException>(() => Records.Encrypted().Deserialize<Bbs.Models.Task>(value));

        Assert.Equal(RecordFormatFailure.UnknownKeyLabel, e.Failure);
        Assert.Equal(Error.Types.Type.FailedToOpenEnvelope, e.Error.Type);
        Assert.Equal("could not open envelope", e.Error.Message);
        Assert.Contains("\"other\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEncryptedValueCannotBeReadWithoutKeys()
    {
        var value = Records.Encrypted().Serialize(Records.Task());

        var e = Assert.Throws<RecordFormatException>(() => Records.Plain().Deserialize<Bbs.Models.Task>(value));

        Assert.Equal(RecordFormatFailure.UnknownKeyLabel, e.Failure);
    }

    [Fact]
    public void TheSameLabelWithAnotherPassphraseFailsAuthentication()
    {
        var value = Records.Encrypted().Serialize(Records.Task());

        var e = Assert.Throws<RecordFormatException>(() => Records.Encrypted("k1", "k1:wrong phrase").Deserialize<Bbs.Models.Task>(value));

        Assert.Equal(RecordFormatFailure.DecryptionFailed, e.Failure);
        Assert.Equal(Error.Types.Type.FailedToOpenEnvelope, e.Error.Type);
    }

    [Theory]
    [InlineData(10)] // in the nonce
    [InlineData(20)] // in the ciphertext
    [InlineData(-1)] // in the tag
    public void TamperedCiphertextFails(int position)
    {
        var serializer = Records.Encrypted();
        var sealedBytes = SealedBytesOf(serializer.Serialize(Records.Task()));
        sealedBytes[position < 0 ? sealedBytes.Length + position : position] ^= 0x01;

        var e = Assert.Throws<RecordFormatException>(() => serializer.Deserialize<Bbs.Models.Task>(Value(sealedBytes)));

        Assert.Equal(RecordFormatFailure.DecryptionFailed, e.Failure);
    }

    [Fact]
    public void AValueSealedByHandFromTheDocumentedLayoutDecrypts()
    {
        var envelope = Records.EnvelopeOf(Records.Plain().Serialize(Records.RunInfo()));
        byte[] nonce = [.. Enumerable.Range(100, 12).Select(i => (byte)i)];
        var ciphertext = new byte[envelope.Length];
        var tag = new byte[16];
        using (var aes = new AesGcm(SHA256.HashData(Encoding.UTF8.GetBytes(Records.Passphrase)), 16))
        {
            aes.Encrypt(nonce, envelope, ciphertext, tag);
        }

        var value = Value([2, .. "k1"u8, .. nonce, .. ciphertext, .. tag]);

        Assert.Equal(Records.RunInfo(), Records.Encrypted().Deserialize<DesiredLRPRunInfo>(value));
    }

    [Fact]
    public void AWrittenValueOpensByHandFromTheDocumentedLayout()
    {
        var sealedBytes = SealedBytesOf(Records.Encrypted().Serialize(Records.SmallActualLrp()));

        Assert.Equal(2, sealedBytes[0]);
        Assert.Equal("k1"u8.ToArray(), sealedBytes[1..3]);
        var nonce = sealedBytes[3..15];
        var ciphertext = sealedBytes[15..^16];
        var tag = sealedBytes[^16..];
        var envelope = new byte[ciphertext.Length];
        using (var aes = new AesGcm(SHA256.HashData(Encoding.UTF8.GetBytes(Records.Passphrase)), 16))
        {
            aes.Decrypt(nonce, ciphertext, tag, envelope);
        }

        Assert.Equal(Records.EnvelopeOf(Records.Plain().Serialize(Records.SmallActualLrp())), envelope);
    }

    [Fact]
    public void AValueEncryptedOutsideDotNetDecrypts() =>
        Assert.Equal(Records.SmallActualLrp(), Records.Encrypted().Deserialize<ActualLRP>(Encoding.ASCII.GetBytes(KnownEncryptedSmallActualLrp)));

    [Fact]
    public void ALabelOfTheMaximumLengthIsWrittenBehindItsLengthByte()
    {
        var label = new string('l', EncryptionKey.MaxLabelBytes);
        var serializer = Records.Encrypted(label, $"{label}:phrase");

        var value = serializer.Serialize(Records.Task());

        Assert.Equal(label, LabelOf(value));
        Assert.Equal(Records.Task(), serializer.Deserialize<Bbs.Models.Task>(value));
    }

    private static byte[] SealedBytesOf(byte[] value) => Convert.FromBase64String(Encoding.ASCII.GetString(value, 2, value.Length - 2));

    private static byte[] Value(byte[] sealedBytes) => Encoding.ASCII.GetBytes("02" + Convert.ToBase64String(sealedBytes));

    private static string LabelOf(byte[] value)
    {
        var sealedBytes = SealedBytesOf(value);
        return Encoding.UTF8.GetString(sealedBytes, 1, sealedBytes[0]);
    }
}
