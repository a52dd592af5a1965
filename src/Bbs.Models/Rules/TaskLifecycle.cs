namespace Bbs.Models.Rules;

/// <summary>
/// The task lifecycle of bbs-protocol.md §4.3 with NEW's semantics (reject included) as pure functions:
/// each takes the stored task (null when there is none) and returns the task to write, a no-op, or BBS's
/// refusal. Inputs are never modified. Times are unix nanoseconds supplied by the caller.
/// </summary>
public static class TaskLifecycle
{
    public const string CancelledReason = "task was cancelled";

    /// <summary>A desired task: Pending, created_at = updated_at = now.</summary>
    public static Task NewPending(DesireTaskRequest request, long nowUnixNanos) => new()
    {
        TaskGuid = request.TaskGuid,
        Domain = request.Domain,
        TaskDefinition = request.TaskDefinition?.Clone() ?? new TaskDefinition(),
        State = Task.Types.State.Pending,
        CreatedAt = nowUnixNanos,
        UpdatedAt = nowUnixNanos,
    };

    /// <summary>
    /// A cell starts the task. Already Running on that cell is a no-op (should_start = false); from Pending
    /// it becomes Running there (should_start = true); anything else is InvalidStateTransition.
    /// </summary>
    public static LifecycleOutcome<Task> Start(Task? current, string cellId, long nowUnixNanos)
    {
        if (current is null)
        {
            return LifecycleOutcome<Task>.Refused(BbsErrors.ResourceNotFound);
        }

        if (current.State == Task.Types.State.Running && current.CellId == cellId)
        {
            return LifecycleOutcome<Task>.NoOp();
        }

        if (TaskTransitions.Check(current.State, Task.Types.State.Running) is { } refusal)
        {
            return LifecycleOutcome<Task>.Refused(refusal);
        }

        var next = current.Clone();
        next.State = Task.Types.State.Running;
        next.CellId = cellId;
        next.UpdatedAt = nowUnixNanos;
        return LifecycleOutcome<Task>.Changed(next);
    }

    /// <summary>Cancel is a failure with reason "task was cancelled".</summary>
    public static LifecycleOutcome<Task> Cancel(Task? current, long nowUnixNanos) =>
        Fail(current, CancelledReason, nowUnixNanos);

    /// <summary>
    /// Completed and failed with <paramref name="reason"/>, from Pending or Running; from Completed or
    /// Resolving it is InvalidStateTransition "… to Completed".
    /// </summary>
    public static LifecycleOutcome<Task> Fail(Task? current, string reason, long nowUnixNanos)
    {
        if (current is null)
        {
            return LifecycleOutcome<Task>.Refused(BbsErrors.ResourceNotFound);
        }

        if (current.State != Task.Types.State.Pending &&
            TaskTransitions.Check(current.State, Task.Types.State.Completed) is { } refusal)
        {
            return LifecycleOutcome<Task>.Refused(refusal);
        }

        return LifecycleOutcome<Task>.Changed(Completed(current, failed: true, reason, result: string.Empty, nowUnixNanos));
    }

    /// <summary>
    /// A cell gives the task back (NEW): from Pending or Running it returns to Pending with the rejection
    /// counted and its reason kept. When the count before this call had already reached
    /// <paramref name="maxTaskRetries"/> the task is failed with the rejection reason instead (count and stored
    /// reason unchanged, as NEW's fail path leaves them). From any other
    /// state the request is refused as BadRequest.
    /// </summary>
    public static LifecycleOutcome<Task> Reject(Task? current, string reason, int maxTaskRetries, long nowUnixNanos)
    {
        if (current is null)
        {
            return LifecycleOutcome<Task>.Refused(BbsErrors.ResourceNotFound);
        }

        if (current.State is not (Task.Types.State.Pending or Task.Types.State.Running))
        {
            return LifecycleOutcome<Task>.Refused(BbsErrors.BadRequest);
        }

        // Out of retries: NEW fails the task through its fail path, leaving the rejection count and reason as they were.
        if (current.RejectionCount >= maxTaskRetries)
        {
            return LifecycleOutcome<Task>.Changed(Completed(current.Clone(), failed: true, reason, result: string.Empty, nowUnixNanos));
        }

        var next = current.Clone();
        next.RejectionCount++;
        next.RejectionReason = ReasonText.Truncate(reason);
        next.State = Task.Types.State.Pending;
        next.UpdatedAt = nowUnixNanos;
        return LifecycleOutcome<Task>.Changed(next);
    }

    /// <summary>
    /// The cell running the task reports its result. Running on another cell is RunningOnDifferentCell;
    /// not Running is InvalidStateTransition.
    /// </summary>
    public static LifecycleOutcome<Task> Complete(
        Task? current, string cellId, bool failed, string failureReason, string result, long nowUnixNanos)
    {
        if (current is null)
        {
            return LifecycleOutcome<Task>.Refused(BbsErrors.ResourceNotFound);
        }

        if (current.State == Task.Types.State.Running && current.CellId != cellId)
        {
            return LifecycleOutcome<Task>.Refused(BbsErrors.RunningOnDifferentCell(current.CellId, cellId));
        }

        if (TaskTransitions.Check(current.State, Task.Types.State.Completed) is { } refusal)
        {
            return LifecycleOutcome<Task>.Refused(refusal);
        }

        return LifecycleOutcome<Task>.Changed(Completed(current, failed, failureReason, result, nowUnixNanos));
    }

    /// <summary>A client takes the completed task to handle its result: Completed → Resolving only.</summary>
    public static LifecycleOutcome<Task> Resolving(Task? current, long nowUnixNanos)
    {
        if (current is null)
        {
            return LifecycleOutcome<Task>.Refused(BbsErrors.ResourceNotFound);
        }

        if (TaskTransitions.Check(current.State, Task.Types.State.Resolving) is { } refusal)
        {
            return LifecycleOutcome<Task>.Refused(refusal);
        }

        var next = current.Clone();
        next.State = Task.Types.State.Resolving;
        next.UpdatedAt = nowUnixNanos;
        return LifecycleOutcome<Task>.Changed(next);
    }

    /// <summary>
    /// Only a Resolving task is deleted; from any other state the refusal names the transition to
    /// Resolving. The outcome's record is the task to remove.
    /// </summary>
    public static LifecycleOutcome<Task> Delete(Task? current)
    {
        if (current is null)
        {
            return LifecycleOutcome<Task>.Refused(BbsErrors.ResourceNotFound);
        }

        return current.State == Task.Types.State.Resolving
            ? LifecycleOutcome<Task>.Changed(current)
            : LifecycleOutcome<Task>.Refused(TaskTransitions.Refusal(current.State, Task.Types.State.Resolving));
    }

    private static Task Completed(Task current, bool failed, string failureReason, string result, long nowUnixNanos)
    {
        var next = current.Clone();
        next.State = Task.Types.State.Completed;
        next.Failed = failed;
        next.FailureReason = ReasonText.Truncate(failureReason);
        next.Result = result;
        next.CellId = string.Empty;
        next.FirstCompletedAt = nowUnixNanos;
        next.UpdatedAt = nowUnixNanos;
        return next;
    }
}
