using Bbs.Models.Rules;

namespace Bbs.Models.Tests.Rules;

// Every cell of NEW's transition table (bbs-protocol.md §4.1). UNCLAIMED and CRASHED records carry no
// instance key, so for them "same key" is the empty key.
public sealed class ActualLrpTransitionsTests
{
    private static readonly ActualLRPKey Key = new() { ProcessGuid = "pg", Index = 1, Domain = "d" };
    private static readonly ActualLRPInstanceKey Held = new() { InstanceGuid = "ig-1", CellId = "cell-1" };
    private static readonly ActualLRPInstanceKey Other = new() { InstanceGuid = "ig-2", CellId = "cell-2" };

    public static TheoryData<string, string, string, bool> Table => new()
    {
        { "UNCLAIMED", "UNCLAIMED", "other", true },
        { "UNCLAIMED", "UNCLAIMED", "empty", true },
        { "UNCLAIMED", "CLAIMED", "other", true },
        { "UNCLAIMED", "CLAIMED", "empty", true },
        { "UNCLAIMED", "RUNNING", "other", true },
        { "UNCLAIMED", "RUNNING", "empty", true },
        { "UNCLAIMED", "CRASHED", "other", false },
        { "UNCLAIMED", "CRASHED", "empty", false },

        { "CLAIMED", "UNCLAIMED", "same", false },
        { "CLAIMED", "UNCLAIMED", "other", false },
        { "CLAIMED", "UNCLAIMED", "empty", true },
        { "CLAIMED", "CLAIMED", "same", true },
        { "CLAIMED", "CLAIMED", "other", false },
        { "CLAIMED", "CLAIMED", "empty", false },
        { "CLAIMED", "RUNNING", "same", true },
        { "CLAIMED", "RUNNING", "other", true },
        { "CLAIMED", "RUNNING", "empty", true },
        { "CLAIMED", "CRASHED", "same", true },
        { "CLAIMED", "CRASHED", "other", false },
        { "CLAIMED", "CRASHED", "empty", false },

        { "RUNNING", "UNCLAIMED", "same", false },
        { "RUNNING", "UNCLAIMED", "other", false },
        { "RUNNING", "UNCLAIMED", "empty", true },
        { "RUNNING", "CLAIMED", "same", true },
        { "RUNNING", "CLAIMED", "other", false },
        { "RUNNING", "CLAIMED", "empty", false },
        { "RUNNING", "RUNNING", "same", true },
        { "RUNNING", "RUNNING", "other", false },
        { "RUNNING", "RUNNING", "empty", false },
        { "RUNNING", "CRASHED", "same", true },
        { "RUNNING", "CRASHED", "other", false },
        { "RUNNING", "CRASHED", "empty", false },

        { "CRASHED", "UNCLAIMED", "other", false },
        { "CRASHED", "UNCLAIMED", "empty", true },
        { "CRASHED", "CLAIMED", "other", false },
        { "CRASHED", "CLAIMED", "empty", true },
        { "CRASHED", "RUNNING", "other", false },
        { "CRASHED", "RUNNING", "empty", true },
        { "CRASHED", "CRASHED", "other", false },
        { "CRASHED", "CRASHED", "empty", false },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void TheTransitionTableDecidesByStatesAndInstanceKey(string from, string to, string requestKey, bool allowed)
    {
        var current = Stored(from);

        Assert.Equal(allowed, ActualLrpTransitions.AllowsTransitionTo(current, Key.Clone(), Request(requestKey), to));
    }

    public static TheoryData<string, string, string> Cells()
    {
        var cells = new TheoryData<string, string, string>();
        foreach (var row in Table)
        {
            cells.Add((string)row[0], (string)row[1], (string)row[2]);
        }

        return cells;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void NoTransitionIsAllowedWhenTheRequestNamesAnotherLrp(string from, string to, string requestKey)
    {
        var otherDomain = new ActualLRPKey { ProcessGuid = "pg", Index = 1, Domain = "other-domain" };
        var otherIndex = new ActualLRPKey { ProcessGuid = "pg", Index = 2, Domain = "d" };

        Assert.False(ActualLrpTransitions.AllowsTransitionTo(Stored(from), otherDomain, Request(requestKey), to));
        Assert.False(ActualLrpTransitions.AllowsTransitionTo(Stored(from), otherIndex, Request(requestKey), to));
    }

    [Theory]
    [InlineData("")]
    [InlineData("EVACUATING")]
    [InlineData("running")]
    public void ARecordInAnUnknownStateAllowsNothing(string state)
    {
        var current = new ActualLRP { ActualLrpKey = Key.Clone(), State = state };

        Assert.All(ActualLrpStates.All, to => Assert.False(ActualLrpTransitions.AllowsTransitionTo(current, Key, null, to)));
    }

    [Theory]
    [InlineData("UNCLAIMED")]
    [InlineData("CLAIMED")]
    [InlineData("RUNNING")]
    [InlineData("CRASHED")]
    public void NoRecordMayMoveToAnUnknownState(string from) =>
        Assert.False(ActualLrpTransitions.AllowsTransitionTo(Stored(from), Key, Held, "STOPPED"));

    [Fact]
    public void AMissingRequestInstanceKeyCountsAsEmpty()
    {
        Assert.True(ActualLrpTransitions.AllowsTransitionTo(Stored("RUNNING"), Key, null, ActualLrpStates.Unclaimed));
        Assert.False(ActualLrpTransitions.AllowsTransitionTo(Stored("RUNNING"), Key, null, ActualLrpStates.Crashed));
    }

    [Fact]
    public void TheStatesAreBbsStrings() =>
        Assert.Equal(["UNCLAIMED", "CLAIMED", "RUNNING", "CRASHED"], ActualLrpStates.All);

    private static ActualLRP Stored(string state) => new()
    {
        ActualLrpKey = Key.Clone(),
        ActualLrpInstanceKey = state is "CLAIMED" or "RUNNING" ? Held.Clone() : new ActualLRPInstanceKey(),
        State = state,
    };

    private static ActualLRPInstanceKey Request(string relation) => relation switch
    {
        "same" => Held.Clone(),
        "other" => Other.Clone(),
        _ => new ActualLRPInstanceKey(),
    };
}
