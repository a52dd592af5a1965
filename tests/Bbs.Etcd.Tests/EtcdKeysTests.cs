using Google.Protobuf;

namespace Bbs.Etcd.Tests;

public sealed class EtcdKeysTests
{
    [Theory]
    [InlineData(new byte[] { 0x61 }, new byte[] { 0x62 })]
    [InlineData(new byte[] { 0x61, 0xff }, new byte[] { 0x62 })]
    [InlineData(new byte[] { 0x61, 0xfe, 0xff, 0xff }, new byte[] { 0x61, 0xff })]
    [InlineData(new byte[] { 0xff, 0xff }, new byte[] { 0x00 })]
    [InlineData(new byte[0], new byte[] { 0x00 })]
    public void ThePrefixEndIsThePrefixWithItsLastIncrementableByteIncremented(byte[] prefix, byte[] expected)
    {
        Assert.Equal(expected, EtcdKeys.PrefixEnd(ByteString.CopyFrom(prefix)).ToByteArray());
    }

    [Fact]
    public void AStringPrefixIsEncodedAsUtf8()
    {
        Assert.Equal("/bbs/v1/actual0", EtcdKeys.PrefixEnd("/bbs/v1/actual/").ToStringUtf8());
    }
}
