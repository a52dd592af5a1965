using Google.Protobuf;

namespace Bbs.Etcd;

/// <summary>Key helpers for etcd's [key, range_end) ranges.</summary>
public static class EtcdKeys
{
    /// <summary>The range_end "\0", which with a key means "every key from there on".</summary>
    public static ByteString AllFrom { get; } = ByteString.CopyFrom(0);

    /// <summary>
    /// The range_end that selects every key starting with <paramref name="prefix"/>: the prefix with its last byte
    /// below 0xff incremented (trailing 0xff bytes dropped); "\0" (all keys) when there is no such byte.
    /// </summary>
    public static ByteString PrefixEnd(ByteString prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var bytes = prefix.Span;
        for (int i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] < 0xff)
            {
                var end = bytes[..(i + 1)].ToArray();
                end[i]++;
                return ByteString.CopyFrom(end);
            }
        }

        return AllFrom;
    }

    /// <inheritdoc cref="PrefixEnd(ByteString)"/>
    public static ByteString PrefixEnd(string prefix) => PrefixEnd(ByteString.CopyFromUtf8(prefix));
}
