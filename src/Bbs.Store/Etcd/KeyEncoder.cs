using Google.Protobuf;

namespace Bbs.Store.Etcd;

/// <summary>
/// Encodes the keys of one transaction, encoding each distinct key once: a guarded write names its key in a
/// compare, in the write and often in the failure branch's read. Remembers the first <see cref="Capacity"/>
/// distinct keys (the common, small transactions); later ones are simply encoded. One transaction, one encoder.
/// </summary>
internal struct KeyEncoder
{
    private const int Capacity = 8;

    private string? _firstKey;
    private ByteString? _firstBytes;
    private (string Key, ByteString Bytes)[]? _more;
    private int _moreCount;

    public ByteString Encode(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_firstKey is null)
        {
            _firstKey = key;
            _firstBytes = EtcdConvert.Key(key);
            return _firstBytes;
        }

        if (string.Equals(_firstKey, key, StringComparison.Ordinal))
        {
            return _firstBytes!;
        }

        for (int i = 0; i < _moreCount; i++)
        {
            if (string.Equals(_more![i].Key, key, StringComparison.Ordinal))
            {
                return _more[i].Bytes;
            }
        }

        var bytes = EtcdConvert.Key(key);
        if (_moreCount < Capacity - 1)
        {
            _more ??= new (string, ByteString)[Capacity - 1];
            _more[_moreCount++] = (key, bytes);
        }

        return bytes;
    }
}
