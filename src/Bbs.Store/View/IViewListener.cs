namespace Bbs.Store.View;

/// <summary>
/// Follows a <see cref="KeyValueView"/>: the view's one watch feeds both its reads and its listeners (the event
/// hub), so a change is read from the store and projected once.
/// </summary>
/// <remarks>
/// Calls come from the view's loop, one at a time, in revision order, each after the snapshot it describes is
/// published; the view waits for each call, so a listener must be quick and must bound its own buffers. A
/// listener that throws is logged and the view goes on.
/// </remarks>
public interface IViewListener
{
    /// <summary>
    /// The view loaded <paramref name="snapshot"/>: at start, and again when its watch could not resume. Changes
    /// before the snapshot's revision that were not told through <see cref="AppliedAsync"/> never will be.
    /// </summary>
    ValueTask LoadedAsync(ViewSnapshot snapshot, CancellationToken cancellationToken);

    /// <summary>The changes of one or more whole revisions, in order, and the snapshot that holds them.</summary>
    ValueTask AppliedAsync(ViewSnapshot snapshot, IReadOnlyList<ViewChange> changes, CancellationToken cancellationToken);
}
