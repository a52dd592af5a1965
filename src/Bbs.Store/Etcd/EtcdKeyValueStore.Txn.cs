using Bbs.Etcd;
using Api = Etcdserverpb;
using EtcdCompareResult = Etcdserverpb.Compare.Types.CompareResult;

namespace Bbs.Store.Etcd;

public sealed partial class EtcdKeyValueStore
{
    // Puts report nothing; one shared, immutable result serves them all.
    private static readonly TxnOpResult NoResult = new(null, 0);

    public async Task<TxnResult> TxnAsync(TxnRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfDisposed();

        // Refused here with the embedded store's words rather than sent for etcd (or gRPC's message size check) to refuse.
        StoreRequestTooLargeException.ThrowIfTooLarge(request, MaxRequestBytes);
        var txn = ToEtcd(request);
        Api.TxnResponse response;
        try
        {
            response = await _client.TxnAsync(txn, cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdLeaseNotFoundException ex)
        {
            throw await LeaseNotFoundAsync(request, ex, cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdException ex) when (ex is EtcdDeadlineExceededException or EtcdUnavailableException { NotConnected: false })
        {
            // The transaction reached etcd, which did not answer for it: it may have been applied.
            throw new StoreUnavailableException(ex.Message, ex) { MayHaveBeenApplied = true };
        }
        catch (EtcdException ex) when (EtcdErrors.IsRequestTooLarge(ex))
        {
            // A cluster whose --max-request-bytes is lower than MaxRequestBytes.
            throw new StoreRequestTooLargeException(request.LargestKey(), txn.CalculateSize(), MaxRequestBytes);
        }
        catch (EtcdException ex)
        {
            throw EtcdErrors.ToStoreException(ex);
        }

        return FromEtcd(request, response);
    }

    private static Api.TxnRequest ToEtcd(TxnRequest request)
    {
        ArgumentNullException.ThrowIfNull(request.Compares, nameof(request));
        ArgumentNullException.ThrowIfNull(request.Success, nameof(request));
        ArgumentNullException.ThrowIfNull(request.Failure, nameof(request));

        var keys = default(KeyEncoder);
        var txn = new Api.TxnRequest();
        foreach (var compare in request.Compares)
        {
            txn.Compare.Add(ToEtcd(compare, ref keys));
        }

        foreach (var op in request.Success)
        {
            txn.Success.Add(ToEtcd(op, ref keys));
        }

        foreach (var op in request.Failure)
        {
            txn.Failure.Add(ToEtcd(op, ref keys));
        }

        return txn;
    }

    private static Api.Compare ToEtcd(TxnCompare compare, ref KeyEncoder keys)
    {
        ArgumentNullException.ThrowIfNull(compare);
        var result = compare.Op switch
        {
            CompareOp.Equal => EtcdCompareResult.Equal,
            CompareOp.Greater => EtcdCompareResult.Greater,
            CompareOp.Less => EtcdCompareResult.Less,
            CompareOp.NotEqual => EtcdCompareResult.NotEqual,
            _ => throw new ArgumentOutOfRangeException(nameof(compare), compare.Op, "unknown compare op"),
        };
        var key = keys.Encode(compare.Key);
        return compare.Target switch
        {
            CompareTarget.Version => EtcdCompare.Version(key, result, compare.Number),
            CompareTarget.CreateRevision => EtcdCompare.CreateRevision(key, result, compare.Number),
            CompareTarget.ModRevision => EtcdCompare.ModRevision(key, result, compare.Number),
            CompareTarget.Lease => EtcdCompare.Lease(key, result, compare.Number),
            CompareTarget.Value => EtcdCompare.Value(key, result, EtcdConvert.Value(compare.Value)),
            _ => throw new ArgumentOutOfRangeException(nameof(compare), compare.Target, "unknown compare target"),
        };
    }

    private static Api.RequestOp ToEtcd(TxnOp op, ref KeyEncoder keys)
    {
        switch (op)
        {
            case PutOp put:
                return EtcdOp.Put(keys.Encode(put.Key), EtcdConvert.Value(put.Value), put.Lease);
            case DeleteOp delete:
                return EtcdOp.Delete(keys.Encode(delete.Key));
            case DeletePrefixOp deletePrefix:
                {
                    var (key, rangeEnd) = EtcdConvert.PrefixRange(keys.Encode(deletePrefix.Prefix));
                    return new Api.RequestOp { RequestDeleteRange = new Api.DeleteRangeRequest { Key = key, RangeEnd = rangeEnd } };
                }

            case GetOp { Prefix: false } get:
                return EtcdOp.Get(keys.Encode(get.Key));
            case GetOp get:
                {
                    var (key, rangeEnd) = EtcdConvert.PrefixRange(keys.Encode(get.Key));
                    return new Api.RequestOp { RequestRange = new Api.RangeRequest { Key = key, RangeEnd = rangeEnd } };
                }

            default:
                throw new ArgumentException($"unsupported txn op {op?.GetType().Name ?? "null"}", nameof(op));
        }
    }

    private static TxnResult FromEtcd(TxnRequest request, Api.TxnResponse response)
    {
        var ops = response.Succeeded ? request.Success : request.Failure;
        var results = ops.Count == 0 ? [] : new TxnOpResult[ops.Count];
        for (int i = 0; i < results.Length; i++)
        {
            var reply = response.Responses[i];
            results[i] = ops[i] switch
            {
                GetOp => new TxnOpResult(EtcdConvert.ToKeyValues(reply.ResponseRange.Kvs), 0),
                DeleteOp or DeletePrefixOp => new TxnOpResult(null, reply.ResponseDeleteRange.Deleted),
                _ => NoResult,
            };
        }

        return new TxnResult(response.Succeeded, response.Header.Revision, results);
    }

    /// <summary>
    /// etcd does not say which lease it did not find. It checked only the puts of the branch that ran, so when the
    /// transaction names one lease it is that one; otherwise ask which of them is gone.
    /// </summary>
    private async Task<StoreLeaseNotFoundException> LeaseNotFoundAsync(TxnRequest request, EtcdLeaseNotFoundException error, CancellationToken cancellationToken)
    {
        var leases = new List<long>();
        foreach (var op in request.Success.Concat(request.Failure))
        {
            if (op is PutOp { Lease: not 0 } put && !leases.Contains(put.Lease))
            {
                leases.Add(put.Lease);
            }
        }

        if (leases.Count == 1)
        {
            return new StoreLeaseNotFoundException(leases[0]);
        }

        try
        {
            foreach (var lease in leases)
            {
                var ttl = await _client.LeaseTimeToLiveAsync(new Api.LeaseTimeToLiveRequest { ID = lease }, cancellationToken).ConfigureAwait(false);
                if (ttl.TTL < 0)
                {
                    return new StoreLeaseNotFoundException(lease);
                }
            }
        }
        catch (EtcdException)
        {
            // Only the exception's detail is at stake: fall back to etcd's message.
        }

        return new StoreLeaseNotFoundException(error.Message, error);
    }
}
