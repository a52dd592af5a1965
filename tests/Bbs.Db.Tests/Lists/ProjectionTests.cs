using System.Runtime.InteropServices;
using Bbs.Db.Tests.Format;
using Bbs.Models;
using Bbs.Store;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bbs.Db.Tests.Lists;

/// <summary>What the view's projector keeps per record: one copy of the bytes where it can, shared strings.</summary>
public sealed class ProjectionTests
{
    [Fact]
    public void AnUnencodedInstanceRecordKeepsItsPlainBytesAsASliceOfTheStoredValue()
    {
        var lrp = Records.RunningActualLrp();
        var value = Records.Plain().Serialize(lrp);

        var record = Project<ActualRecord>(Records.Plain(), Keys.ActualInstance("pg-1", 2), value);

        Assert.True(MemoryMarshal.TryGetArray(record.Bytes, out var segment));
        Assert.Same(value, segment.Array);
        Assert.Equal(lrp.ToByteArray(), record.Bytes.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PlainBytesAreWhatEncodingTheRecordGivesWhateverTheStoredForm(bool encrypted)
    {
        // An evacuating record is stored without presence; its plain bytes carry presence EVACUATING, so they are a copy.
        var serializer = encrypted ? Records.Encrypted() : Records.Plain();
        var lrp = Records.RunningActualLrp();
        var value = serializer.Serialize(lrp);

        var record = Project<ActualRecord>(serializer, Keys.ActualEvacuating("pg-1", 2), value);

        var expected = lrp.Clone();
        expected.Presence = ActualLRP.Types.Presence.Evacuating;
        Assert.Equal(expected.ToByteArray(), record.Bytes.ToArray());
        Assert.False(MemoryMarshal.TryGetArray(record.Bytes, out var segment) && ReferenceEquals(segment.Array, value));
    }

    [Fact]
    public void NonCanonicalStoredBytesAreNotKeptAsTheyAre()
    {
        // A PROTO record with an unknown field after an explicit default: it parses to the model, but its plain bytes must
        // be what encoding the parsed record gives (an unknown field is kept by the parser, so it is in both).
        var info = Records.SchedulingInfo();
        byte[] value = [.. "00"u8, 2, 0, 0x18, 0x00, .. info.ToByteArray()];

        var record = Project<SchedulingRecord>(Records.Plain(), Keys.SchedulingInfo("pg-1"), value);

        Assert.Equal(info.ToByteArray(), record.Bytes.ToArray());
    }

    [Fact]
    public void InstancesOfOneLrpShareOneProcessGuidString()
    {
        var project = RecordProjector.Create(Records.Plain(), NullLogger.Instance);
        var value = Records.Plain().Serialize(Records.RunningActualLrp());

        var first = Assert.IsType<ActualRecord>(project(new KeyValue(Keys.ActualInstance("pg-1", 1), value, 1, 1, 1, 0)));
        var second = Assert.IsType<ActualRecord>(project(new KeyValue(Keys.ActualInstance("pg-1", 2), value, 1, 1, 1, 0)));

        Assert.Equal("pg-1", first.ProcessGuid);
        Assert.Same(first.ProcessGuid, second.ProcessGuid);
    }

    private static T Project<T>(Bbs.Db.Format.RecordSerializer serializer, string key, byte[] value) =>
        Assert.IsType<T>(RecordProjector.Create(serializer, NullLogger.Instance)(new KeyValue(key, value, 1, 1, 1, 0)));
}
