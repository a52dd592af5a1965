using System.Text.Json.Serialization;
using BbsTask = Bbs.Models.Task;

namespace Bbs.Peers;

/// <summary>One element of the JSON array the auctioneer takes on <c>POST /v1/tasks</c>: a pending task to place.</summary>
/// <remarks>
/// The shape is the rep's scheduling task (<c>rep.Task</c>, in NEW BBS <c>models.SchedulingTask</c>) flattened to the
/// top level. Its guid and domain carry no JSON tags in Go, hence the capitalised <c>TaskGuid</c> and <c>Domain</c>;
/// <c>state</c> is always <c>"Invalid"</c> and <c>failed</c> false in a start request, as NEW BBS sends them.
/// </remarks>
public sealed record TaskStartRequest(
    [property: JsonPropertyName("TaskGuid")] string TaskGuid,
    [property: JsonPropertyName("Domain")] string Domain,
    [property: JsonPropertyName("placement_tags")] IReadOnlyList<string> PlacementTags,
    [property: JsonPropertyName("volume_drivers")] IReadOnlyList<string> VolumeDrivers,
    [property: JsonPropertyName("rootfs")] string RootFs,
    [property: JsonPropertyName("memory_mb")] int MemoryMb,
    [property: JsonPropertyName("disk_mb")] int DiskMb,
    [property: JsonPropertyName("max_pids")] int MaxPids)
{
    /// <summary>The task state as the auctioneer reads it; a start request carries the zero state.</summary>
    [JsonPropertyName("state")]
    public string State => "Invalid";

    [JsonPropertyName("failed")]
    public bool Failed => false;

    /// <summary>The start request for a pending task, as DesireTask and task convergence build it.</summary>
    public static TaskStartRequest From(BbsTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var definition = task.TaskDefinition ?? new Bbs.Models.TaskDefinition();
        return new TaskStartRequest(
            task.TaskGuid,
            task.Domain,
            [.. definition.PlacementTags],
            [.. definition.VolumeMounts.Select(m => m.Driver)],
            definition.RootFs,
            definition.MemoryMb,
            definition.DiskMb,
            definition.MaxPids);
    }
}
