using Etcdserverpb;
using Google.Protobuf;
using CompareResult = Etcdserverpb.Compare.Types.CompareResult;
using CompareTarget = Etcdserverpb.Compare.Types.CompareTarget;

namespace Bbs.Etcd;

/// <summary>
/// Builds transaction guards, like Go clientv3's <c>Compare(ModRevision(key), "=", rev)</c>. For an absent key,
/// etcd compares version, create and mod revision and lease as 0; a value compare never holds for it.
/// </summary>
public static class EtcdCompare
{
    public static Compare Version(ByteString key, CompareResult result, long version) =>
        new() { Key = key, Target = CompareTarget.Version, Result = result, Version = version };

    public static Compare CreateRevision(ByteString key, CompareResult result, long revision) =>
        new() { Key = key, Target = CompareTarget.Create, Result = result, CreateRevision = revision };

    public static Compare ModRevision(ByteString key, CompareResult result, long revision) =>
        new() { Key = key, Target = CompareTarget.Mod, Result = result, ModRevision = revision };

    public static Compare Value(ByteString key, CompareResult result, ByteString value) =>
        new() { Key = key, Target = CompareTarget.Value, Result = result, Value = value };

    public static Compare Lease(ByteString key, CompareResult result, long leaseId) =>
        new() { Key = key, Target = CompareTarget.Lease, Result = result, Lease = leaseId };

    /// <summary>Holds when the key does not exist.</summary>
    public static Compare Absent(ByteString key) => CreateRevision(key, CompareResult.Equal, 0);

    /// <summary>Holds when the key exists.</summary>
    public static Compare Present(ByteString key) => CreateRevision(key, CompareResult.Greater, 0);
}

/// <summary>Builds the operations of a transaction branch.</summary>
public static class EtcdOp
{
    public static RequestOp Put(ByteString key, ByteString value, long leaseId = 0, bool prevKv = false) =>
        new() { RequestPut = new PutRequest { Key = key, Value = value, Lease = leaseId, PrevKv = prevKv } };

    public static RequestOp Delete(ByteString key, bool prevKv = false) =>
        new() { RequestDeleteRange = new DeleteRangeRequest { Key = key, PrevKv = prevKv } };

    public static RequestOp DeletePrefix(ByteString prefix, bool prevKv = false) =>
        new() { RequestDeleteRange = new DeleteRangeRequest { Key = prefix, RangeEnd = EtcdKeys.PrefixEnd(prefix), PrevKv = prevKv } };

    public static RequestOp Get(ByteString key) =>
        new() { RequestRange = new RangeRequest { Key = key } };

    public static RequestOp GetPrefix(ByteString prefix) =>
        new() { RequestRange = new RangeRequest { Key = prefix, RangeEnd = EtcdKeys.PrefixEnd(prefix) } };
}
