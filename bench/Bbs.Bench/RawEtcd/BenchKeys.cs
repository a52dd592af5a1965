using Google.Protobuf;

namespace Bbs.Bench.RawEtcd;

/// <summary>Keys and values of the raw etcd benchmarks, all under <c>/bench/</c>, away from the server's <c>/v1/</c>.</summary>
public static class BenchKeys
{
    public const string Root = "/bench/";

    /// <summary>Bytes per value: about the size of an encoded BBS ActualLRP record.</summary>
    public const int ValueSize = 256;

    public static ByteString Key(string key) => ByteString.CopyFromUtf8(key);

    /// <summary>A fixed random value (random so that no layer can compress it).</summary>
    public static ByteString Value { get; } = ByteString.CopyFrom(RandomBytes(ValueSize));

    private static byte[] RandomBytes(int size)
    {
        var bytes = new byte[size];
        new Random(42).NextBytes(bytes);
        return bytes;
    }
}
