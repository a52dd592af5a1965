using System.Security.Cryptography;
using System.Text;
using Bbs.Db.Format;

namespace Bbs.Db.Tests.Format;

public sealed class RecordFormatOptionsTests
{
    [Fact]
    public void AKeyIsParsedFromLabelColonPassphraseAndHashesThePassphrase()
    {
        var key = EncryptionKey.Parse("label:pass:with:colons");

        Assert.Equal("label", key.Label);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes("pass:with:colons")), key.Key.ToArray());
        Assert.Equal("label", key.ToString());
    }

    [Fact]
    public void AnEmptyPassphraseIsAllowedAsInBbs() => Assert.Equal("k", EncryptionKey.Parse("k:").Label);

    [Theory]
    [InlineData("no-colon")]
    [InlineData(":passphrase")]
    public void AKeyNeedsALabelAndAColon(string text) => Assert.Throws<FormatException>(() => EncryptionKey.Parse(text));

    [Fact]
    public void ALabelMayBe127BytesButNotMore()
    {
        Assert.Equal(127, EncryptionKey.Parse(new string('a', 127) + ":p").Label.Length);
        Assert.Throws<FormatException>(() => EncryptionKey.Parse(new string('a', 128) + ":p"));
        Assert.Throws<FormatException>(() => EncryptionKey.Parse(new string('é', 64) + ":p")); // 128 UTF-8 bytes
    }

    [Fact]
    public void NoKeysAndNoActiveLabelIsValid() => Assert.Empty(new RecordFormatOptions().Validate());

    [Fact]
    public void KeysWithAnActiveLabelAmongThemAreValid() =>
        Assert.Empty(new RecordFormatOptions { EncryptionKeys = ["a:1", "b:2"], ActiveKeyLabel = "b" }.Validate());

    [Fact]
    public void TheActiveLabelMustBeAmongTheKeys()
    {
        var errors = new RecordFormatOptions { EncryptionKeys = ["a:1"], ActiveKeyLabel = "b" }.Validate();

        Assert.Contains(errors, e => e.StartsWith("active_key_label:", StringComparison.Ordinal));
    }

    [Fact]
    public void KeysNeedAnActiveLabel() =>
        Assert.Single(new RecordFormatOptions { EncryptionKeys = ["a:1"] }.Validate());

    [Fact]
    public void AnActiveLabelNeedsKeys() =>
        Assert.NotEmpty(new RecordFormatOptions { ActiveKeyLabel = "a" }.Validate());

    [Fact]
    public void TwoKeysMayNotShareALabel()
    {
        var errors = new RecordFormatOptions { EncryptionKeys = ["a:1", "a:2"], ActiveKeyLabel = "a" }.Validate();

        Assert.Equal(["encryption_keys: multiple keys with the label 'a'"], errors);
    }

    [Fact]
    public void EveryMalformedKeyIsReported()
    {
        var errors = new RecordFormatOptions { EncryptionKeys = ["nocolon", new string('x', 200) + ":p", "a:1"], ActiveKeyLabel = "a" }.Validate();

        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void WritingEncryptedNeedsKeys() =>
        Assert.Single(new RecordFormatOptions { WriteEncoding = RecordEncoding.Encrypted }.Validate());

    [Fact]
    public void KeysCanBeHeldForReadingWhileWritingBase64()
    {
        var options = new RecordFormatOptions { EncryptionKeys = ["a:1"], ActiveKeyLabel = "a", WriteEncoding = RecordEncoding.Base64 };

        Assert.Empty(options.Validate());
        Assert.Equal(RecordEncoding.Base64, new RecordSerializer(options).WriteEncoding);
    }

    [Fact]
    public void TheSerializerRefusesInvalidOptionsNamingEveryProblem()
    {
        var e = Assert.Throws<ArgumentException>(() => new RecordSerializer(new RecordFormatOptions { EncryptionKeys = ["a:1", "a:2"], ActiveKeyLabel = "c" }));

        Assert.Contains("multiple keys", e.Message, StringComparison.Ordinal);
        Assert.Contains("active_key_label", e.Message, StringComparison.Ordinal);
    }
}
