using System.Buffers;
using Bbs.Db.Format;
using Bbs.Models;
using Google.Protobuf;

namespace Bbs.Db;

/// <summary>Which fields of a desired LRP a list answers.</summary>
public enum DesiredLrpFields
{
    /// <summary>Every field: what <see cref="DesiredLrpParts.Join"/> gives.</summary>
    All,

    /// <summary>The routing fields only: what <see cref="DesiredLrpParts.RoutingInfo"/> gives.</summary>
    Routing,
}

/// <summary>
/// One desired LRP as the store view keeps it: its scheduling info's and its run info's plain protobuf bytes. A list
/// writes each pair with <see cref="DesiredLrpEncoding"/>, without decoding either.
/// </summary>
public readonly record struct DesiredLrpHalves(ReadOnlyMemory<byte> SchedulingInfo, ReadOnlyMemory<byte> RunInfo)
{
    /// <summary>The decoded desired LRP (the two halves parsed and joined), for answers that need a message (JSON).</summary>
    public DesiredLRP Decode(DesiredLrpFields fields)
    {
        var info = DesiredLRPSchedulingInfo.Parser.ParseFrom(SchedulingInfo.Span);
        var run = DesiredLRPRunInfo.Parser.ParseFrom(RunInfo.Span);
        return fields == DesiredLrpFields.Routing ? DesiredLrpParts.RoutingInfo(info, run) : DesiredLrpParts.Join(info, run);
    }
}

/// <summary>
/// The protobuf encoding of a <see cref="DesiredLRP"/> composed from the encodings of its two stored halves, without
/// building a message: each field of the scheduling info and the run info is copied under the DesiredLRP's field
/// number (the key and the resource flattened into the DesiredLRP's own fields), in the DesiredLRP's field order.
/// Parsing the result gives exactly <see cref="DesiredLrpParts.Join"/> (or <see cref="DesiredLrpParts.RoutingInfo"/>)
/// of the parsed halves, including what the join adds: empty <c>routes</c> when the scheduling info has none, and
/// <c>metrics_guid</c> from <c>metric_tags["source_id"].static</c>. For canonical halves (what Google.Protobuf writes)
/// the bytes are the ones serializing the join gives. Fields the join does not copy (the run info's key and
/// created_at, the volume placement, unknown fields) are left out.
/// </summary>
public static class DesiredLrpEncoding
{
    private const int Varint = (int)WireFormat.WireType.Varint;
    private const int Fixed64 = (int)WireFormat.WireType.Fixed64;
    private const int LengthDelimited = (int)WireFormat.WireType.LengthDelimited;
    private const int StartGroup = (int)WireFormat.WireType.StartGroup;
    private const int EndGroup = (int)WireFormat.WireType.EndGroup;
    private const int Fixed32 = (int)WireFormat.WireType.Fixed32;

    private const int RoutesField = DesiredLRP.RoutesFieldNumber;
    private const int MetricsGuidField = DesiredLRP.MetricsGuidFieldNumber;

    /// <summary>The size of the composed encoding.</summary>
    public static int ComputeSize(ReadOnlySpan<byte> schedulingInfo, ReadOnlySpan<byte> runInfo, DesiredLrpFields fields)
    {
        Span<Piece> initial = stackalloc Piece[64];
        var pieces = new Pieces(initial);
        try
        {
            Collect(schedulingInfo, runInfo, fields, ref pieces);
            int size = 0;
            foreach (var piece in pieces.Items)
            {
                size += CodedOutputStream.ComputeRawVarint32Size(WireFormat.MakeTag(piece.Target, (WireFormat.WireType)piece.WireType)) + piece.Length
                    + (piece.WireType == LengthDelimited ? CodedOutputStream.ComputeLengthSize(piece.Length) : 0);
            }

            return size;
        }
        finally
        {
            pieces.Dispose();
        }
    }

    /// <summary>Writes the composed encoding to the start of <paramref name="destination"/>; returns its size.</summary>
    /// <exception cref="ArgumentException">The destination is smaller than <see cref="ComputeSize"/>.</exception>
    public static int Write(ReadOnlySpan<byte> schedulingInfo, ReadOnlySpan<byte> runInfo, DesiredLrpFields fields, Span<byte> destination)
    {
        Span<Piece> initial = stackalloc Piece[64];
        var pieces = new Pieces(initial);
        try
        {
            Collect(schedulingInfo, runInfo, fields, ref pieces);
            int offset = 0;
            foreach (var piece in pieces.Items)
            {
                var source = piece.FromRun ? runInfo : schedulingInfo;
                offset += WriteVarint(destination[offset..], WireFormat.MakeTag(piece.Target, (WireFormat.WireType)piece.WireType));
                if (piece.WireType == LengthDelimited)
                {
                    offset += WriteVarint(destination[offset..], (uint)piece.Length);
                }

                var value = source.Slice(piece.Start, piece.Length);
                if (!value.TryCopyTo(destination[offset..]))
                {
                    throw new ArgumentException("the destination is smaller than the composed desired LRP", nameof(destination));
                }

                offset += piece.Length;
            }

            return offset;
        }
        finally
        {
            pieces.Dispose();
        }
    }

    /// <summary>The composed encoding as a new array (for tests and single records).</summary>
    public static byte[] ToByteArray(ReadOnlySpan<byte> schedulingInfo, ReadOnlySpan<byte> runInfo, DesiredLrpFields fields)
    {
        var bytes = new byte[ComputeSize(schedulingInfo, runInfo, fields)];
        Write(schedulingInfo, runInfo, fields, bytes);
        return bytes;
    }

    /// <summary>Every piece of the composed message, in the DesiredLRP's field order (repeated fields in their order).</summary>
    private static void Collect(ReadOnlySpan<byte> info, ReadOnlySpan<byte> run, DesiredLrpFields fields, ref Pieces pieces)
    {
        bool routing = fields == DesiredLrpFields.Routing;
        bool hasRoutes = false;
        int position = 0;
        while (position < info.Length)
        {
            var field = ReadField(info, ref position);
            switch (field.Number)
            {
                case DesiredLRPSchedulingInfo.DesiredLrpKeyFieldNumber when field.WireType == LengthDelimited:
                    Flatten(info, field, fromRun: false, ref pieces, static sub => sub switch
                    {
                        DesiredLRPKey.ProcessGuidFieldNumber => (DesiredLRP.ProcessGuidFieldNumber, LengthDelimited),
                        DesiredLRPKey.DomainFieldNumber => (DesiredLRP.DomainFieldNumber, LengthDelimited),
                        DesiredLRPKey.LogGuidFieldNumber => (DesiredLRP.LogGuidFieldNumber, LengthDelimited),
                        _ => (0, 0),
                    });
                    break;
                case DesiredLRPSchedulingInfo.AnnotationFieldNumber when !routing:
                    Add(ref pieces, field, DesiredLRP.AnnotationFieldNumber, LengthDelimited, fromRun: false);
                    break;
                case DesiredLRPSchedulingInfo.InstancesFieldNumber:
                    Add(ref pieces, field, DesiredLRP.InstancesFieldNumber, Varint, fromRun: false);
                    break;
                case DesiredLRPSchedulingInfo.DesiredLrpResourceFieldNumber when !routing && field.WireType == LengthDelimited:
                    Flatten(info, field, fromRun: false, ref pieces, static sub => sub switch
                    {
                        DesiredLRPResource.MemoryMbFieldNumber => (DesiredLRP.MemoryMbFieldNumber, Varint),
                        DesiredLRPResource.DiskMbFieldNumber => (DesiredLRP.DiskMbFieldNumber, Varint),
                        DesiredLRPResource.RootFsFieldNumber => (DesiredLRP.RootFsFieldNumber, LengthDelimited),
                        DesiredLRPResource.MaxPidsFieldNumber => (DesiredLRP.MaxPidsFieldNumber, Varint),
                        _ => (0, 0),
                    });
                    break;
                case DesiredLRPSchedulingInfo.RoutesFieldNumber:
                    hasRoutes |= Add(ref pieces, field, RoutesField, LengthDelimited, fromRun: false);
                    break;
                case DesiredLRPSchedulingInfo.ModificationTagFieldNumber:
                    Add(ref pieces, field, DesiredLRP.ModificationTagFieldNumber, LengthDelimited, fromRun: false);
                    break;
                case DesiredLRPSchedulingInfo.PlacementTagsFieldNumber when !routing:
                    Add(ref pieces, field, DesiredLRP.PlacementTagsFieldNumber, LengthDelimited, fromRun: false);
                    break;
            }
        }

        if (!hasRoutes)
        {
            // The join gives every desired LRP a routes message, empty when the scheduling info has none.
            pieces.Add(new Piece(RoutesField, LengthDelimited, FromRun: false, 0, 0));
        }

        Field metricsGuid = default, sourceId = default;
        position = 0;
        while (position < run.Length)
        {
            var field = ReadField(run, ref position);
            if (field.Number == DesiredLRPRunInfo.MetricsGuidFieldNumber && field.WireType == LengthDelimited)
            {
                metricsGuid = field;
                continue;
            }

            if (field.Number == DesiredLRPRunInfo.MetricTagsFieldNumber && field.WireType == LengthDelimited)
            {
                Add(ref pieces, field, DesiredLRP.MetricTagsFieldNumber, LengthDelimited, fromRun: true);
                if (SourceIdEntry(run.Slice(field.Start, field.Length), out var value))
                {
                    sourceId = value with { Start = value.Start + field.Start };
                }

                continue;
            }

            if (!routing && RunTarget(field.Number) is var (target, wireType) && target != 0)
            {
                // Repeated scalars (ports) may come packed or not; either parses the same under the new number.
                bool packedPorts = target == DesiredLRP.PortsFieldNumber && field.WireType == LengthDelimited;
                Add(ref pieces, field, target, packedPorts ? LengthDelimited : wireType, fromRun: true);
            }
        }

        // NEW's PopulateMetricsGuid: metric_tags["source_id"].static, when set, is the metrics_guid.
        var guid = sourceId.Length > 0 ? sourceId : metricsGuid;
        if (guid.Length > 0)
        {
            pieces.Add(new Piece(MetricsGuidField, LengthDelimited, FromRun: true, guid.Start, guid.Length));
        }

        pieces.SortByTarget();
    }

    /// <summary>The DesiredLRP field (and its wire type) a run-info field is copied to; 0 for fields the join leaves out.</summary>
    private static (int Target, int WireType) RunTarget(int number) => number switch
    {
        DesiredLRPRunInfo.EnvironmentVariablesFieldNumber => (DesiredLRP.EnvironmentVariablesFieldNumber, LengthDelimited),
        DesiredLRPRunInfo.SetupFieldNumber => (DesiredLRP.SetupFieldNumber, LengthDelimited),
        DesiredLRPRunInfo.ActionFieldNumber => (DesiredLRP.ActionFieldNumber, LengthDelimited),
        DesiredLRPRunInfo.MonitorFieldNumber => (DesiredLRP.MonitorFieldNumber, LengthDelimited),
        DesiredLRPRunInfo.StartTimeoutFieldNumber => (DesiredLRP.StartTimeoutFieldNumber, Varint),
        DesiredLRPRunInfo.PrivilegedFieldNumber => (DesiredLRP.PrivilegedFieldNumber, Varint),
        DesiredLRPRunInfo.CpuWeightFieldNumber => (DesiredLRP.CpuWeightFieldNumber, Varint),
        DesiredLRPRunInfo.PortsFieldNumber => (DesiredLRP.PortsFieldNumber, Varint),
        DesiredLRPRunInfo.EgressRulesFieldNumber => (DesiredLRP.EgressRulesFieldNumber, LengthDelimited),
        DesiredLRPRunInfo.LogSourceFieldNumber => (DesiredLRP.LogSourceFieldNumber, LengthDelimited),
        DesiredLRPRunInfo.CachedDependenciesFieldNumber => (DesiredLRP.CachedDependenciesFieldNumber, LengthDelimited),
        DesiredLRPRunInfo.LegacyDownloadUserFieldNumber => (DesiredLRP.LegacyDownloadUserFieldNumber, LengthDelimited),
        DesiredLRPRunInfo.TrustedSystemCertificatesPathFieldNumber => (DesiredLRP.TrustedSystemCertificatesPathFieldNumber, LengthDelimited),
        DesiredLRPRunInfo.VolumeMountsFieldNumber => (DesiredLRP.VolumeMountsFieldNumber, LengthDelimited),
        DesiredLRPRunInfo.NetworkFieldNumber => (DesiredLRP.NetworkFieldNumber, LengthDelimited),
        DesiredLRPRunInfo.StartTimeoutMsFieldNumber => (DesiredLRP.StartTimeoutMsFieldNumber, Varint),
        DesiredLRPRunInfo.CertificatePropertiesFieldNumber => (DesiredLRP.CertificatePropertiesFieldNumber, LengthDelimited),
        DesiredLRPRunInfo.ImageUsernameFieldNumber => (DesiredLRP.ImageUsernameFieldNumber, LengthDelimited),
        DesiredLRPRunInfo.ImagePasswordFieldNumber => (DesiredLRP.ImagePasswordFieldNumber, LengthDelimited),
        DesiredLRPRunInfo.CheckDefinitionFieldNumber => (DesiredLRP.CheckDefinitionFieldNumber, LengthDelimited),
        DesiredLRPRunInfo.ImageLayersFieldNumber => (DesiredLRP.ImageLayersFieldNumber, LengthDelimited),
        DesiredLRPRunInfo.SidecarsFieldNumber => (DesiredLRP.SidecarsFieldNumber, LengthDelimited),
        DesiredLRPRunInfo.LogRateLimitFieldNumber => (DesiredLRP.LogRateLimitFieldNumber, LengthDelimited),
        DesiredLRPRunInfo.VolumeMountedFilesFieldNumber => (DesiredLRP.VolumeMountedFilesFieldNumber, LengthDelimited),
        DesiredLRPRunInfo.UpdateStrategyFieldNumber => (DesiredLRP.UpdateStrategyFieldNumber, Varint),
        _ => (0, 0),
    };

    /// <summary>
    /// Adds the field under <paramref name="target"/> when it has the wire type its declaration gives (a field with
    /// another wire type is an unknown field to the parser, which the join drops); true when added.
    /// </summary>
    private static bool Add(ref Pieces pieces, Field field, int target, int wireType, bool fromRun)
    {
        if (field.WireType != wireType)
        {
            return false;
        }

        pieces.Add(new Piece(target, wireType, fromRun, field.Start, field.Length));
        return true;
    }

    /// <summary>Each known field of an embedded message (the key, the resource) as a DesiredLRP field of its own.</summary>
    private static void Flatten(ReadOnlySpan<byte> source, Field message, bool fromRun, ref Pieces pieces, Func<int, (int Target, int WireType)> map)
    {
        var body = source.Slice(message.Start, message.Length);
        int position = 0;
        while (position < body.Length)
        {
            var sub = ReadField(body, ref position);
            var (target, wireType) = map(sub.Number);
            if (target != 0)
            {
                Add(ref pieces, sub with { Start = sub.Start + message.Start }, target, wireType, fromRun);
            }
        }
    }

    /// <summary>
    /// Reads one metric_tags map entry; true with the <c>static</c> string of its value (relative to the entry) when its
    /// key is <c>source_id</c>. A later source_id entry replaces an earlier one, as in the parsed map.
    /// </summary>
    private static bool SourceIdEntry(ReadOnlySpan<byte> entry, out Field staticValue)
    {
        staticValue = default;
        bool isSourceId = false;
        Field value = default;
        int position = 0;
        while (position < entry.Length)
        {
            var field = ReadField(entry, ref position);
            if (field.WireType != LengthDelimited)
            {
                continue;
            }

            if (field.Number == 1)
            {
                isSourceId = entry.Slice(field.Start, field.Length).SequenceEqual("source_id"u8);
            }
            else if (field.Number == 2)
            {
                value = field;
            }
        }

        if (!isSourceId)
        {
            return false;
        }

        var body = entry.Slice(value.Start, value.Length);
        position = 0;
        while (position < body.Length)
        {
            var field = ReadField(body, ref position);
            if (field.Number == MetricTagValue.StaticFieldNumber && field.WireType == LengthDelimited)
            {
                staticValue = field with { Start = field.Start + value.Start };
            }
        }

        return true;
    }

    /// <summary>The field at <paramref name="position"/>: its number, wire type and value (a length-delimited value without its length).</summary>
    private static Field ReadField(ReadOnlySpan<byte> data, ref int position)
    {
        uint tag = (uint)ReadVarint(data, ref position);
        int number = (int)(tag >> 3);
        int wireType = (int)(tag & 7);
        if (number == 0)
        {
            throw Malformed("a stored desired LRP half has a field numbered 0");
        }

        int start = position;
        switch (wireType)
        {
            case Varint:
                ReadVarint(data, ref position);
                break;
            case Fixed64:
                position += 8;
                break;
            case LengthDelimited:
                ulong length = ReadVarint(data, ref position);
                if (length > (ulong)(data.Length - position))
                {
                    throw Malformed("a stored desired LRP half is truncated");
                }

                start = position;
                position += (int)length;
                break;
            case StartGroup:
                SkipGroup(data, number, ref position);
                break;
            case Fixed32:
                position += 4;
                break;
            default:
                throw Malformed($"a stored desired LRP half has wire type {wireType}");
        }

        if (position > data.Length)
        {
            throw Malformed("a stored desired LRP half is truncated");
        }

        return new Field(number, wireType, start, position - start);
    }

    private static void SkipGroup(ReadOnlySpan<byte> data, int number, ref int position)
    {
        while (true)
        {
            if (position >= data.Length)
            {
                throw Malformed("a stored desired LRP half has an unterminated group");
            }

            int save = position;
            uint tag = (uint)ReadVarint(data, ref position);
            if ((int)(tag & 7) == EndGroup)
            {
                if ((int)(tag >> 3) != number)
                {
                    throw Malformed("a stored desired LRP half has a mismatched group");
                }

                return;
            }

            position = save;
            ReadField(data, ref position);
        }
    }

    /// <summary>Bytes the view's projector parsed never get here; a defect would, and is named as a malformed record.</summary>
    private static RecordFormatException Malformed(string reason) => new(RecordFormatFailure.MalformedPayload, reason);

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= data.Length)
            {
                throw Malformed("a stored desired LRP half is truncated");
            }

            byte b = data[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw Malformed("a stored desired LRP half has a malformed varint");
    }

    private static int WriteVarint(Span<byte> destination, uint value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>A field of a source record: its value at [Start, Start + Length).</summary>
    private readonly record struct Field(int Number, int WireType, int Start, int Length);

    /// <summary>A value copied into the composed message under <see cref="Target"/>.</summary>
    private readonly record struct Piece(int Target, int WireType, bool FromRun, int Start, int Length);

    /// <summary>The pieces of one record: on the stack, in a pooled array past that.</summary>
    private ref struct Pieces
    {
        private Span<Piece> items;
        private Piece[]? rented;
        private int count;

        public Pieces(Span<Piece> initial)
        {
            items = initial;
        }

        public readonly ReadOnlySpan<Piece> Items => items[..count];

        public void Add(Piece piece)
        {
            if (count == items.Length)
            {
                var larger = ArrayPool<Piece>.Shared.Rent(items.Length * 2);
                items.CopyTo(larger);
                if (rented is not null)
                {
                    ArrayPool<Piece>.Shared.Return(rented);
                }

                rented = larger;
                items = larger;
            }

            items[count++] = piece;
        }

        /// <summary>A stable insertion sort: the pieces come nearly in order, and repeated fields keep theirs.</summary>
        public readonly void SortByTarget()
        {
            var span = items[..count];
            for (int i = 1; i < span.Length; i++)
            {
                var piece = span[i];
                int j = i - 1;
                while (j >= 0 && span[j].Target > piece.Target)
                {
                    span[j + 1] = span[j];
                    j--;
                }

                span[j + 1] = piece;
            }
        }

        public void Dispose()
        {
            if (rented is not null)
            {
                ArrayPool<Piece>.Shared.Return(rented);
                rented = null;
            }
        }
    }
}
