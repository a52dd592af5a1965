using Etcdserverpb;
using Mvccpb;
using Google.Protobuf;
using Grpc.Core;

namespace Bbs.Etcd;

/// <summary>The result of <see cref="EtcdClient.RangeAllAsync"/>: every key of the range, in key order, as of <see cref="Revision"/>.</summary>
public sealed record RangeAllResult(IReadOnlyList<KeyValue> Kvs, long Revision);

public sealed partial class EtcdClient
{
    /// <summary>
    /// Reads a key or range (linearizable unless <see cref="RangeRequest.Serializable"/>). Retried on transient
    /// failures. A <see cref="RangeRequest.Revision"/> older than the compaction point throws
    /// <see cref="EtcdCompactedException"/>. Note that the response header's revision is the store's current
    /// revision, even when reading at an older one.
    /// </summary>
    public Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken cancellationToken) =>
        CallAsync("range", static (etcd, r, h, d, ct) => etcd.GetAsync(r, h, d, ct), request, idempotent: true, cancellationToken);

    /// <summary>Writes a key. Not retried: on <see cref="EtcdUnavailableException"/> or a deadline the write may have happened.</summary>
    public Task<PutResponse> PutAsync(PutRequest request, CancellationToken cancellationToken) =>
        CallAsync("put", static (etcd, r, h, d, ct) => etcd.PutAsync(r, h, d, ct), request, idempotent: false, cancellationToken);

    /// <summary>Deletes a key or range. Not retried (see <see cref="PutAsync"/>).</summary>
    public Task<DeleteRangeResponse> DeleteRangeAsync(DeleteRangeRequest request, CancellationToken cancellationToken) =>
        CallAsync("delete_range", static (etcd, r, h, d, ct) => etcd.DeleteAsync(r, h, d, ct), request, idempotent: false, cancellationToken);

    /// <summary>
    /// Discards the history before <see cref="CompactionRequest.Revision"/>: reads at older revisions and watches
    /// from them then fail with <see cref="EtcdCompactedException"/> (as does compacting an already compacted
    /// revision). Not retried.
    /// </summary>
    public Task<CompactionResponse> CompactAsync(CompactionRequest request, CancellationToken cancellationToken) =>
        CallAsync("compact", static (etcd, r, h, d, ct) => etcd.CompactAsync(r, h, d, ct), request, idempotent: false, cancellationToken);

    /// <summary>
    /// Reads every key in [<paramref name="key"/>, <paramref name="rangeEnd"/>) as one consistent snapshot, however
    /// many responses that takes: pages of <paramref name="pageSize"/> keys (halved while a page is larger than
    /// <see cref="EtcdClientOptions.MaxReceiveMessageBytes"/>), all read at one revision —
    /// <paramref name="revision"/>, or when 0 the revision of the first page. Use <see cref="EtcdKeys.PrefixEnd(ByteString)"/>
    /// for a prefix. When <paramref name="revision"/> is 0 and a compaction overtakes the read between pages, the
    /// read starts over at a new revision; with an explicit revision, <see cref="EtcdCompactedException"/> is thrown.
    /// </summary>
    public async Task<RangeAllResult> RangeAllAsync(ByteString key, ByteString rangeEnd, long revision, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(rangeEnd);
        ArgumentOutOfRangeException.ThrowIfNegative(revision);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);

        const int maxStarts = 3;
        for (int start = 1; ; start++)
        {
            try
            {
                return await RangePagesAsync(key, rangeEnd, revision, pageSize, cancellationToken).ConfigureAwait(false);
            }
            catch (EtcdCompactedException) when (revision == 0 && start < maxStarts)
            {
                // The snapshot revision we chose was compacted mid-read; a newer one is as good.
            }
        }
    }

    /// <summary>The smallest page a too-large response is split down to.</summary>
    private const int MinPageSize = 16;

    private async Task<RangeAllResult> RangePagesAsync(ByteString key, ByteString rangeEnd, long revision, int pageSize, CancellationToken cancellationToken)
    {
        var kvs = new List<KeyValue>();
        var request = new RangeRequest { Key = key, RangeEnd = rangeEnd, Limit = pageSize, Revision = revision };
        while (true)
        {
            RangeResponse page;
            try
            {
                page = await RangeAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (EtcdException ex) when (ex.StatusCode == StatusCode.ResourceExhausted && request.Limit > MinPageSize)
            {
                // The page was larger than MaxReceiveMessageBytes (large values): read it again in halves.
                request.Limit = Math.Max(MinPageSize, request.Limit / 2);
                continue;
            }

            // Pin every later page to the first page's revision (its header holds the then-current revision).
            if (request.Revision == 0)
            {
                request.Revision = page.Header.Revision;
            }

            kvs.AddRange(page.Kvs);
            if (!page.More || page.Kvs.Count == 0)
            {
                return new RangeAllResult(kvs, request.Revision);
            }

            // The next page starts right after the last key read: that key plus a zero byte.
            var last = page.Kvs[^1].Key.Span;
            var next = new byte[last.Length + 1];
            last.CopyTo(next);
            request.Key = ByteString.CopyFrom(next);
        }
    }
}
