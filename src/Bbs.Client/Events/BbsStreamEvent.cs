using Bbs.Models;
using Google.Protobuf;

namespace Bbs.Client.Events;

/// <summary>
/// One event read from a BBS event stream: its SSE <c>event</c> name, its SSE <c>id</c> (opaque; this server
/// writes <c>&lt;revision&gt;.&lt;position&gt;</c>, Diego's BBS a per-connection counter) and its <c>data</c>,
/// base64-decoded and parsed into the protobuf message the name stands for (<see cref="BbsEventNames"/>), e.g.
/// <see cref="DesiredLRPCreatedEvent"/> for <c>desired_lrp_created</c>.
/// </summary>
public record BbsStreamEvent(string Name, string Id, IMessage Message);

/// <summary>
/// The server could not resume the stream from the <c>Last-Event-ID</c> it was given: the events after it are no
/// longer in the store's history. Events between that id and this one were lost; the reader must re-list what it
/// tracks (desired LRPs, actual LRPs, tasks), then keep reading: live events follow on the same stream.
/// </summary>
public sealed record ResyncRequiredEvent(string Id, Error Error) : BbsStreamEvent(BbsEventNames.ResyncRequired, Id, Error);

/// <summary>The SSE event names of BBS's streams (bbs-protocol.md §6), plus this server's <c>resync_required</c>.</summary>
public static class BbsEventNames
{
    public const string DesiredLrpCreated = "desired_lrp_created";
    public const string DesiredLrpChanged = "desired_lrp_changed";
    public const string DesiredLrpRemoved = "desired_lrp_removed";

    public const string ActualLrpCreated = "actual_lrp_created";
    public const string ActualLrpChanged = "actual_lrp_changed";
    public const string ActualLrpRemoved = "actual_lrp_removed";
    public const string ActualLrpCrashed = "actual_lrp_crashed";

    public const string ActualLrpInstanceCreated = "actual_lrp_instance_created";
    public const string ActualLrpInstanceChanged = "actual_lrp_instance_changed";
    public const string ActualLrpInstanceRemoved = "actual_lrp_instance_removed";

    public const string TaskCreated = "task_created";
    public const string TaskChanged = "task_changed";
    public const string TaskRemoved = "task_removed";

    /// <summary>Beyond BBS: a resume point older than the store's history; data is a protobuf <see cref="Error"/>.</summary>
    public const string ResyncRequired = "resync_required";
}
