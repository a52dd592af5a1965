using System.Text.Json.Serialization;
using Bbs.Models;

namespace Bbs.Peers;

/// <summary>
/// One element of the JSON array the auctioneer takes on <c>POST /v1/lrps</c>: the instances (indices) of one
/// desired LRP to place, with the resources and placement constraint a cell must offer.
/// </summary>
/// <remarks>
/// The shape is the auctioneer's <c>LRPStartRequest</c> (in NEW BBS, <c>models.LRPStartRequest</c>): its own three
/// fields followed by the embedded placement constraint and resource, whose fields Go's encoding/json promotes to
/// the top level. Empty lists are sent as <c>[]</c>, where Go may send <c>null</c>; the auctioneer reads both alike.
/// </remarks>
public sealed record LrpStartRequest(
    [property: JsonPropertyName("process_guid")] string ProcessGuid,
    [property: JsonPropertyName("domain")] string Domain,
    [property: JsonPropertyName("indices")] IReadOnlyList<int> Indices,
    [property: JsonPropertyName("placement_tags")] IReadOnlyList<string> PlacementTags,
    [property: JsonPropertyName("volume_drivers")] IReadOnlyList<string> VolumeDrivers,
    [property: JsonPropertyName("rootfs")] string RootFs,
    [property: JsonPropertyName("memory_mb")] int MemoryMb,
    [property: JsonPropertyName("disk_mb")] int DiskMb,
    [property: JsonPropertyName("max_pids")] int MaxPids)
{
    /// <summary>Start requests for <paramref name="indices"/> of the LRP, as convergence and the actual-LRP lifecycle build them.</summary>
    public static LrpStartRequest From(DesiredLRPSchedulingInfo schedulingInfo, params int[] indices)
    {
        ArgumentNullException.ThrowIfNull(schedulingInfo);
        ArgumentNullException.ThrowIfNull(indices);
        var key = schedulingInfo.DesiredLrpKey ?? new DesiredLRPKey();
        var resource = schedulingInfo.DesiredLrpResource ?? new DesiredLRPResource();
        return new LrpStartRequest(
            key.ProcessGuid,
            key.Domain,
            [.. indices],
            [.. schedulingInfo.PlacementTags],
            [.. schedulingInfo.VolumePlacement?.DriverNames ?? []],
            resource.RootFs,
            resource.MemoryMb,
            resource.DiskMb,
            resource.MaxPids);
    }

    /// <summary>Start requests for <paramref name="indices"/> of a desired LRP, as DesireLRP and scaling up build them.</summary>
    public static LrpStartRequest From(DesiredLRP desiredLrp, params int[] indices)
    {
        ArgumentNullException.ThrowIfNull(desiredLrp);
        ArgumentNullException.ThrowIfNull(indices);
        return new LrpStartRequest(
            desiredLrp.ProcessGuid,
            desiredLrp.Domain,
            [.. indices],
            [.. desiredLrp.PlacementTags],
            [.. desiredLrp.VolumeMounts.Select(m => m.Driver)],
            desiredLrp.RootFs,
            desiredLrp.MemoryMb,
            desiredLrp.DiskMb,
            desiredLrp.MaxPids);
    }
}
