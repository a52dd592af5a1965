namespace Bbs.Store;

public enum CompareTarget
{
    Version,
    CreateRevision,
    ModRevision,
    Value,
    Lease,
}

public enum CompareOp
{
    Equal,
    Greater,
    Less,
    NotEqual,
}

/// <summary>One guard of a transaction, as etcd's Compare. An absent key has every number equal to 0.</summary>
public sealed record TxnCompare(string Key, CompareTarget Target, CompareOp Op, long Number = 0, ReadOnlyMemory<byte> Value = default)
{
    /// <summary>Holds when the key was last written at <paramref name="modRevision"/> (0: the key is absent).</summary>
    public static TxnCompare ModRevisionIs(string key, long modRevision) => new(key, CompareTarget.ModRevision, CompareOp.Equal, modRevision);

    /// <summary>Holds when the key does not exist.</summary>
    public static TxnCompare Absent(string key) => new(key, CompareTarget.CreateRevision, CompareOp.Equal, 0);

    /// <summary>Holds when the key exists.</summary>
    public static TxnCompare Present(string key) => new(key, CompareTarget.CreateRevision, CompareOp.Greater, 0);

    /// <summary>Holds when the key's value equals <paramref name="value"/> (never holds for an absent key).</summary>
    public static TxnCompare ValueIs(string key, ReadOnlyMemory<byte> value) => new(key, CompareTarget.Value, CompareOp.Equal, 0, value);
}

/// <summary>An operation inside a transaction branch.</summary>
public abstract record TxnOp
{
    private protected TxnOp()
    {
    }
}

/// <summary>Writes a key; <see cref="Lease"/> 0 means no lease.</summary>
public sealed record PutOp(string Key, ReadOnlyMemory<byte> Value, long Lease = 0) : TxnOp;

/// <summary>Deletes one key (no error when absent).</summary>
public sealed record DeleteOp(string Key) : TxnOp;

/// <summary>Deletes every key with the prefix.</summary>
public sealed record DeletePrefixOp(string Prefix) : TxnOp;

/// <summary>Reads one key (or, with <see cref="Prefix"/>, every key under it) as part of the transaction.</summary>
public sealed record GetOp(string Key, bool Prefix = false) : TxnOp;

/// <summary>A transaction: compares, then the ops of the branch the compares choose.</summary>
public sealed record TxnRequest(IReadOnlyList<TxnCompare> Compares, IReadOnlyList<TxnOp> Success, IReadOnlyList<TxnOp> Failure)
{
    public static TxnRequest If(params TxnCompare[] compares) => new(compares, [], []);

    public TxnRequest Then(params TxnOp[] ops) => this with { Success = [.. Success, .. ops] };

    public TxnRequest Else(params TxnOp[] ops) => this with { Failure = [.. Failure, .. ops] };

    /// <summary>
    /// About the size of this request as etcd receives it (its protobuf <c>TxnRequest</c>: every key, value and range
    /// end, with a few bytes of framing each), which both stores hold against <c>--max-request-bytes</c>.
    /// </summary>
    public long EncodedSize()
    {
        const int Framing = 24;
        long size = 0;
        foreach (var compare in Compares)
        {
            size += Utf8(compare.Key) + compare.Value.Length + Framing;
        }

        foreach (var op in Success.Concat(Failure))
        {
            size += Framing + op switch
            {
                PutOp put => Utf8(put.Key) + put.Value.Length,
                DeleteOp delete => Utf8(delete.Key),
                DeletePrefixOp deletePrefix => 2L * Utf8(deletePrefix.Prefix),
                GetOp { Prefix: true } get => 2L * Utf8(get.Key),
                GetOp get => Utf8(get.Key),
                _ => 0,
            };
        }

        return size;
    }

    /// <summary>The key of the largest record this request writes (else of its largest key), to name it in an error.</summary>
    public string LargestKey() =>
        Success.Concat(Failure).OfType<PutOp>().MaxBy(p => p.Key.Length + p.Value.Length)?.Key
        ?? Compares.Select(c => c.Key).Concat(Success.Concat(Failure).Select(KeyOf)).MaxBy(k => k.Length)
        ?? string.Empty;

    private static string KeyOf(TxnOp op) => op switch
    {
        PutOp put => put.Key,
        DeleteOp delete => delete.Key,
        DeletePrefixOp deletePrefix => deletePrefix.Prefix,
        GetOp get => get.Key,
        _ => string.Empty,
    };

    private static int Utf8(string text) => System.Text.Encoding.UTF8.GetByteCount(text);
}

/// <summary>
/// The outcome of a transaction: which branch ran, the store revision after it, and, per op of the branch
/// that ran, the keys a <see cref="GetOp"/> read (null for other ops) and the count a delete removed.
/// </summary>
public sealed record TxnResult(bool Succeeded, long Revision, IReadOnlyList<TxnOpResult> Results);

/// <summary>Per-op result: <see cref="Kvs"/> for a <see cref="GetOp"/>, <see cref="Deleted"/> for a delete.</summary>
public sealed record TxnOpResult(IReadOnlyList<KeyValue>? Kvs, long Deleted);
