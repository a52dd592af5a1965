using Bbs.Models.Rules;

namespace Bbs.Models.Tests.Rules;

public sealed class TaskTransitionsTests
{
    public static TheoryData<Task.Types.State, Task.Types.State, bool> Pairs()
    {
        var data = new TheoryData<Task.Types.State, Task.Types.State, bool>();
        foreach (var from in Enum.GetValues<Task.Types.State>())
        {
            foreach (var to in Enum.GetValues<Task.Types.State>())
            {
                var allowed = (from, to) is
                    (Task.Types.State.Pending, Task.Types.State.Running) or
                    (Task.Types.State.Running, Task.Types.State.Completed) or
                    (Task.Types.State.Completed, Task.Types.State.Resolving);
                data.Add(from, to, allowed);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void OnlyPendingToRunningToCompletedToResolvingIsAllowed(Task.Types.State from, Task.Types.State to, bool allowed)
    {
        Assert.Equal(allowed, TaskTransitions.IsAllowed(from, to));

        var error = TaskTransitions.Check(from, to);
        if (allowed)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.Equal(Error.Types.Type.InvalidStateTransition, error!.Type);
            Assert.Equal($"Cannot transition from {from} to {to}", error.Message);
        }
    }

    [Theory]
    [InlineData(Task.Types.State.Running, Task.Types.State.Running, "Cannot transition from Running to Running")]
    [InlineData(Task.Types.State.Running, Task.Types.State.Resolving, "Cannot transition from Running to Resolving")]
    [InlineData(Task.Types.State.Completed, Task.Types.State.Completed, "Cannot transition from Completed to Completed")]
    [InlineData(Task.Types.State.Pending, Task.Types.State.Completed, "Cannot transition from Pending to Completed")]
    [InlineData(Task.Types.State.Invalid, Task.Types.State.Running, "Cannot transition from Invalid to Running")]
    public void RefusalsUseBbsStateNames(Task.Types.State from, Task.Types.State to, string message) =>
        Assert.Equal(message, TaskTransitions.Refusal(from, to).Message);
}
