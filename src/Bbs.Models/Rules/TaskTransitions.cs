namespace Bbs.Models.Rules;

/// <summary>
/// The task state machine: Pending → Running → Completed → Resolving, nothing else. A refusal is
/// InvalidStateTransition "Cannot transition from X to Y" with the state names (Pending, Running, ...).
/// </summary>
public static class TaskTransitions
{
    public static bool IsAllowed(Task.Types.State from, Task.Types.State to) => to switch
    {
        Task.Types.State.Running => from == Task.Types.State.Pending,
        Task.Types.State.Completed => from == Task.Types.State.Running,
        Task.Types.State.Resolving => from == Task.Types.State.Completed,
        _ => false,
    };

    /// <summary>Null when allowed; otherwise the InvalidStateTransition error to answer.</summary>
    public static Error? Check(Task.Types.State from, Task.Types.State to) =>
        IsAllowed(from, to) ? null : Refusal(from, to);

    public static Error Refusal(Task.Types.State from, Task.Types.State to) =>
        BbsErrors.InvalidStateTransition(from.ToString(), to.ToString());
}
