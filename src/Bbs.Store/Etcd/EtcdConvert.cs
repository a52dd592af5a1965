using Bbs.Etcd;
using Google.Protobuf;
using Api = Etcdserverpb;

namespace Bbs.Store.Etcd;

/// <summary>Keys, prefixes and key-values between the port's strings and etcd's bytes.</summary>
internal static class EtcdConvert
{
    /// <summary>etcd refuses an empty key; "\0" is the lowest non-empty one, and with range_end "\0" it spans every key.</summary>
    public static ByteString RootKey { get; } = ByteString.CopyFrom(0);

    public static ByteString Key(string key) => ByteString.CopyFromUtf8(key);

    /// <summary>
    /// Wraps the caller's buffer without copying it: the request is serialized during the call, and the port
    /// forbids changing a buffer while the call that writes it runs.
    /// </summary>
    public static ByteString Value(ReadOnlyMemory<byte> value) => value.IsEmpty ? ByteString.Empty : UnsafeByteOperations.UnsafeWrap(value);

    /// <summary>The [key, range_end) of every key that starts with <paramref name="prefix"/>; the whole keyspace for "".</summary>
    public static (ByteString Key, ByteString RangeEnd) PrefixRange(string prefix) => PrefixRange(Key(prefix));

    /// <inheritdoc cref="PrefixRange(string)"/>
    public static (ByteString Key, ByteString RangeEnd) PrefixRange(ByteString prefix) =>
        prefix.IsEmpty ? (RootKey, EtcdKeys.AllFrom) : (prefix, EtcdKeys.PrefixEnd(prefix));

    /// <summary>
    /// The port's view of an etcd key-value. The value is not copied: parsed responses own their bytes, and
    /// <see cref="KeyValue.Value"/> is read-only by contract.
    /// </summary>
    public static KeyValue ToKeyValue(Mvccpb.KeyValue kv, string? key = null) =>
        new(key ?? kv.Key.ToStringUtf8(), kv.Value.Memory, kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease);

    public static KeyValue[] ToKeyValues(IReadOnlyList<Mvccpb.KeyValue> kvs)
    {
        if (kvs.Count == 0)
        {
            return [];
        }

        var result = new KeyValue[kvs.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = ToKeyValue(kvs[i]);
        }

        return result;
    }
}
