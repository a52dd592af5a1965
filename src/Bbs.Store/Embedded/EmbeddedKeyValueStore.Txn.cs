namespace Bbs.Store.Embedded;

public sealed partial class EmbeddedKeyValueStore
{
    public Task<TxnResult> TxnAsync(TxnRequest request, CancellationToken cancellationToken)
    {
        Validate(request);
        cancellationToken.ThrowIfCancellationRequested();

        _lock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            ExpireDueLeases();

            var succeeded = request.Compares.All(Holds);
            var ops = succeeded ? request.Success : request.Failure;

            // Everything that can refuse the transaction is checked before the first change.
            foreach (var op in ops)
            {
                if (op is PutOp { Lease: not 0 } put && !_leases.ContainsKey(put.Lease))
                {
                    throw new StoreLeaseNotFoundException(put.Lease);
                }
            }

            var revision = _revision + 1;
            var events = new List<WatchEvent>();
            var results = new TxnOpResult[ops.Count];
            for (var i = 0; i < ops.Count; i++)
            {
                results[i] = ops[i] switch
                {
                    PutOp put => Put(put, revision, events),
                    DeleteOp delete => new TxnOpResult(null, Delete(delete.Key, revision, events) ? 1 : 0),
                    DeletePrefixOp delete => new TxnOpResult(null, DeletePrefix(delete.Prefix, revision, events)),
                    GetOp get => new TxnOpResult(Read(get), 0),
                    _ => throw new InvalidOperationException($"unknown op {ops[i].GetType().Name}"),
                };
            }

            if (events.Count > 0)
            {
                Commit(events);
            }

            return Task.FromResult(new TxnResult(succeeded, _revision, results));
        }
        finally
        {
            ExitWriteLock();
        }
    }

    private static bool Satisfies(CompareOp op, int comparison) => op switch
    {
        CompareOp.Equal => comparison == 0,
        CompareOp.Greater => comparison > 0,
        CompareOp.Less => comparison < 0,
        CompareOp.NotEqual => comparison != 0,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unknown compare op"),
    };

    private static KeyValue Tombstone(string key, long revision) => new(key, ReadOnlyMemory<byte>.Empty, 0, revision, 0, 0);

    /// <summary>Refuses, as etcd's API layer does, requests that no store state could make valid.</summary>
    private void Validate(TxnRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Compares, nameof(request));
        ArgumentNullException.ThrowIfNull(request.Success, nameof(request));
        ArgumentNullException.ThrowIfNull(request.Failure, nameof(request));
        var max = _options.MaxTxnOps;
        if (request.Compares.Count > max || request.Success.Count > max || request.Failure.Count > max)
        {
            throw new ArgumentException($"too many operations in txn request (at most {max} compares and {max} ops per branch)", nameof(request));
        }

        StoreRequestTooLargeException.ThrowIfTooLarge(request, _options.MaxRequestBytes);

        foreach (var compare in request.Compares)
        {
            ArgumentNullException.ThrowIfNull(compare, nameof(request));
            ValidateKey(compare.Key, nameof(request));
            if (!Enum.IsDefined(compare.Target) || !Enum.IsDefined(compare.Op))
            {
                throw new ArgumentException($"invalid compare on {compare.Key}: {compare.Target} {compare.Op}", nameof(request));
            }
        }

        ValidateBranch(request.Success, nameof(request));
        ValidateBranch(request.Failure, nameof(request));
    }

    /// <summary>etcd refuses a branch that puts one key twice, or puts a key one of its deletes covers.</summary>
    private static void ValidateBranch(IReadOnlyList<TxnOp> ops, string paramName)
    {
        var puts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var op in ops)
        {
            switch (op)
            {
                case PutOp put:
                    ValidateKey(put.Key, paramName);
                    if (!puts.Add(put.Key))
                    {
                        throw new ArgumentException($"duplicate key given in txn request: {put.Key}", paramName);
                    }

                    break;
                case DeleteOp delete:
                    ValidateKey(delete.Key, paramName);
                    break;
                case DeletePrefixOp delete:
                    ArgumentNullException.ThrowIfNull(delete.Prefix, paramName);
                    break;
                case GetOp get:
                    ArgumentNullException.ThrowIfNull(get.Key, paramName);
                    if (!get.Prefix)
                    {
                        ValidateKey(get.Key, paramName);
                    }

                    break;
                default:
                    throw new ArgumentException($"unsupported txn op {op?.GetType().Name ?? "null"}", paramName);
            }
        }

        foreach (var op in ops)
        {
            var covered = op switch
            {
                DeleteOp delete => puts.Contains(delete.Key) ? delete.Key : null,
                DeletePrefixOp delete => puts.FirstOrDefault(key => key.StartsWith(delete.Prefix, StringComparison.Ordinal)),
                _ => null,
            };
            if (covered is not null)
            {
                throw new ArgumentException($"duplicate key given in txn request: {covered}", paramName);
            }
        }
    }

    private bool Holds(TxnCompare compare)
    {
        var kv = _kvs.GetValueOrDefault(compare.Key);
        if (compare.Target == CompareTarget.Value)
        {
            // etcd: comparing the value of an absent key always fails, whatever the operator.
            return kv is not null && Satisfies(compare.Op, kv.Value.Span.SequenceCompareTo(compare.Value.Span));
        }

        var actual = compare.Target switch
        {
            CompareTarget.Version => kv?.Version ?? 0,
            CompareTarget.CreateRevision => kv?.CreateRevision ?? 0,
            CompareTarget.ModRevision => kv?.ModRevision ?? 0,
            CompareTarget.Lease => kv?.Lease ?? 0,
            _ => throw new ArgumentOutOfRangeException(nameof(compare), compare.Target, "unknown compare target"),
        };
        return Satisfies(compare.Op, actual.CompareTo(compare.Number));
    }

    private List<KeyValue> Read(GetOp get)
    {
        if (get.Prefix)
        {
            return ReadPrefix(get.Key);
        }

        return _kvs.TryGetValue(get.Key, out var kv) ? [kv] : [];
    }

    private TxnOpResult Put(PutOp put, long revision, List<WatchEvent> events)
    {
        var previous = _kvs.GetValueOrDefault(put.Key);

        // The caller may reuse its buffer; the store keeps its own copy, as etcd keeps the bytes it was sent.
        var kv = new KeyValue(put.Key, put.Value.ToArray(), previous?.CreateRevision ?? revision, revision, (previous?.Version ?? 0) + 1, put.Lease);
        if (previous is null)
        {
            _keys.Add(put.Key);
        }
        else if (previous.Lease != put.Lease)
        {
            DetachFromLease(previous);
        }

        if (put.Lease != 0)
        {
            _leases[put.Lease].Keys.Add(put.Key);
        }

        _kvs[put.Key] = kv;
        events.Add(new WatchEvent(WatchEventType.Put, kv, previous));
        return new TxnOpResult(null, 0);
    }

    private bool Delete(string key, long revision, List<WatchEvent> events)
    {
        if (!_kvs.Remove(key, out var previous))
        {
            return false;
        }

        _keys.Remove(key);
        DetachFromLease(previous);
        events.Add(new WatchEvent(WatchEventType.Delete, Tombstone(key, revision), previous));
        return true;
    }

    private long DeletePrefix(string prefix, long revision, List<WatchEvent> events)
    {
        var keys = KeyOrder.WithPrefix(_keys, prefix).ToList();
        foreach (var key in keys)
        {
            Delete(key, revision, events);
        }

        return keys.Count;
    }

    private void DetachFromLease(KeyValue kv)
    {
        if (kv.Lease != 0 && _leases.TryGetValue(kv.Lease, out var lease))
        {
            lease.Keys.Remove(kv.Key);
        }
    }
}
