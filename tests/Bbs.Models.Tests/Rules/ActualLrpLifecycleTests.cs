using Bbs.Models.Rules;

namespace Bbs.Models.Tests.Rules;

public sealed class ActualLrpLifecycleTests
{
    private const long Second = 1_000_000_000L;
    private const long Then = 1_700_000_000L * Second;
    private const long Now = Then + (10 * Second);

    private static readonly ActualLRPKey Key = new() { ProcessGuid = "pg", Index = 0, Domain = "d" };
    private static readonly ActualLRPInstanceKey CellA = new() { InstanceGuid = "ig-a", CellId = "cell-a" };
    private static readonly ActualLRPInstanceKey CellB = new() { InstanceGuid = "ig-b", CellId = "cell-b" };
    private static readonly ActualLRPNetInfo NetA = new()
    {
        Address = "10.0.0.1",
        Ports = { new PortMapping { ContainerPort = 8080, HostPort = 61000 } },
    };

    [Fact]
    public void ANewUnclaimedRecordHasAFreshEpochAndIndexZero()
    {
        var lrp = ActualLrpLifecycle.NewUnclaimed(Key, Now, "epoch-1");

        Assert.Equal(ActualLrpStates.Unclaimed, lrp.State);
        Assert.Equal(Key, lrp.ActualLrpKey);
        Assert.Equal(new ActualLRPInstanceKey(), lrp.ActualLrpInstanceKey);
        Assert.Equal(new ActualLRPNetInfo(), lrp.ActualLrpNetInfo);
        Assert.Equal(Now, lrp.Since);
        Assert.Equal(new ModificationTag { Epoch = "epoch-1", Index = 0 }, lrp.ModificationTag);
        Assert.True(lrp.HasRoutable);
        Assert.False(lrp.Routable);
        Assert.Null(lrp.Validate());
    }

    [Fact]
    public void ClaimingAnUnclaimedLrpMakesItClaimedAndClearsThePlacementError()
    {
        var current = Unclaimed();
        current.PlacementError = "insufficient resources";
        var before = current.Clone();

        var outcome = ActualLrpLifecycle.Claim(current, CellA, Now);

        var claimed = Assert.IsType<ActualLRP>(outcome.Record);
        Assert.Equal(ActualLrpStates.Claimed, claimed.State);
        Assert.Equal(CellA, claimed.ActualLrpInstanceKey);
        Assert.Equal(new ActualLRPNetInfo(), claimed.ActualLrpNetInfo);
        Assert.Equal(string.Empty, claimed.PlacementError);
        Assert.Equal(Now, claimed.Since);
        Assert.Equal(new ModificationTag { Epoch = "e", Index = 4 }, claimed.ModificationTag);
        Assert.False(outcome.AuctionNeeded);
        Assert.Null(claimed.Validate());
        Assert.Equal(before, current);
    }

    [Fact]
    public void ClaimingAClaimedLrpWithItsOwnKeyIsANoOp()
    {
        var outcome = ActualLrpLifecycle.Claim(Claimed(CellA), CellA.Clone(), Now);

        Assert.True(outcome.IsNoOp);
        Assert.Null(outcome.Record);
        Assert.Null(outcome.Error);
    }

    [Fact]
    public void ClaimingARunningLrpWithItsOwnKeyMakesItClaimedAgain()
    {
        var outcome = ActualLrpLifecycle.Claim(Running(CellA), CellA, Now);

        Assert.Equal(ActualLrpStates.Claimed, outcome.Record!.State);
        Assert.Equal(new ActualLRPNetInfo(), outcome.Record.ActualLrpNetInfo);
    }

    public static TheoryData<string> ClaimRefusals => ["claimed by B", "running on B", "crashed"];

    [Theory]
    [MemberData(nameof(ClaimRefusals))]
    public void ClaimingAClaimedLrpFromAnotherCellIsRefused(string stored)
    {
        var current = stored switch
        {
            "claimed by B" => Claimed(CellB),
            "running on B" => Running(CellB),
            _ => Crashed(3),
        };

        var outcome = ActualLrpLifecycle.Claim(current, CellA, Now);

        AssertRefused(outcome, Error.Types.Type.ActualLrpcannotBeClaimed, "cannot claim actual LRP");
    }

    [Fact]
    public void ClaimingAMissingLrpIsNotFound() =>
        AssertRefused(ActualLrpLifecycle.Claim(null, CellA, Now), Error.Types.Type.ResourceNotFound, "the requested resource could not be found");

    [Fact]
    public void StartingWithNoRecordCreatesARunningLrpWithANewEpochAndIndexZero()
    {
        var outcome = ActualLrpLifecycle.Start(null, StartOn(CellA, NetA), Now, () => "fresh-epoch");

        var lrp = outcome.Record!;
        Assert.Equal(ActualLrpStates.Running, lrp.State);
        Assert.Equal(Key, lrp.ActualLrpKey);
        Assert.Equal(CellA, lrp.ActualLrpInstanceKey);
        Assert.Equal(NetA, lrp.ActualLrpNetInfo);
        Assert.Equal(Now, lrp.Since);
        Assert.Equal(new ModificationTag { Epoch = "fresh-epoch", Index = 0 }, lrp.ModificationTag);
        Assert.True(lrp.Routable);
        Assert.Null(lrp.Validate());
    }

    [Fact]
    public void StartingAgainWithIdenticalDataIsANoOpAndNeedsNoEpoch()
    {
        var current = Running(CellA);

        var outcome = ActualLrpLifecycle.Start(current, StartOn(CellA, NetA), Now, () => throw new InvalidOperationException("no epoch needed"));

        Assert.True(outcome.IsNoOp);
    }

    [Fact]
    public void StartingAClaimedLrpMakesItRunning()
    {
        var current = Claimed(CellA);
        current.PlacementError = "stale";

        var outcome = ActualLrpLifecycle.Start(current, StartOn(CellA, NetA), Now, () => "unused");

        var lrp = outcome.Record!;
        Assert.Equal(ActualLrpStates.Running, lrp.State);
        Assert.Equal(NetA, lrp.ActualLrpNetInfo);
        Assert.Equal(string.Empty, lrp.PlacementError);
        Assert.Equal(Now, lrp.Since);
        Assert.Equal(4u, lrp.ModificationTag.Index);
        Assert.Equal("e", lrp.ModificationTag.Epoch);
    }

    [Fact]
    public void StartingAClaimedLrpFromAnotherCellIsAllowedByNewsTable()
    {
        var outcome = ActualLrpLifecycle.Start(Claimed(CellA), StartOn(CellB, NetA), Now, () => "unused");

        Assert.Equal(CellB, outcome.Record!.ActualLrpInstanceKey);
    }

    [Fact]
    public void StartingAnUnclaimedLrpMakesItRunning() =>
        Assert.Equal(ActualLrpStates.Running, ActualLrpLifecycle.Start(Unclaimed(), StartOn(CellA, NetA), Now, () => "unused").Record!.State);

    [Fact]
    public void StartingARunningLrpWithNewNetInfoUpdatesIt()
    {
        var moved = new ActualLRPNetInfo { Address = "10.0.0.2" };

        var outcome = ActualLrpLifecycle.Start(Running(CellA), StartOn(CellA, moved), Now, () => "unused");

        Assert.Equal(moved, outcome.Record!.ActualLrpNetInfo);
        Assert.Equal(4u, outcome.Record.ModificationTag.Index);
    }

    public static TheoryData<string> StartRefusals => ["running on B", "crashed", "other domain"];

    [Theory]
    [MemberData(nameof(StartRefusals))]
    public void StartingARunningLrpFromAnotherCellIsRefused(string stored)
    {
        var request = StartOn(CellA, NetA);
        var current = stored switch
        {
            "running on B" => Running(CellB),
            "crashed" => Crashed(3),
            _ => Running(CellA),
        };
        if (stored == "other domain")
        {
            request = request with { Key = new ActualLRPKey { ProcessGuid = "pg", Index = 0, Domain = "elsewhere" } };
        }

        var outcome = ActualLrpLifecycle.Start(current, request, Now, () => "unused");

        AssertRefused(outcome, Error.Types.Type.ActualLrpcannotBeStarted, "cannot start actual LRP");
    }

    [Fact]
    public void AStartWithoutRoutableIsRoutableAndOneWithFalseIsNot()
    {
        var request = new StartActualLRPRequest
        {
            ActualLrpKey = Key.Clone(),
            ActualLrpInstanceKey = CellA.Clone(),
            ActualLrpNetInfo = NetA.Clone(),
        };
        Assert.True(ActualLrpLifecycle.Start(null, RunningInstance.From(request), Now, () => "e").Record!.Routable);

        request.Routable = false;
        Assert.False(ActualLrpLifecycle.Start(null, RunningInstance.From(request), Now, () => "e").Record!.Routable);
    }

    [Fact]
    public void AStartThatChangesOnlyItsNewFieldsIsNotAHeartbeat()
    {
        var request = new StartActualLRPRequest
        {
            ActualLrpKey = Key.Clone(),
            ActualLrpInstanceKey = CellA.Clone(),
            ActualLrpNetInfo = NetA.Clone(),
            AvailabilityZone = "z1",
            MetricTags = { ["app"] = "a" },
            ActualLrpInternalRoutes = { new ActualLRPInternalRoute { Hostname = "h.internal" } },
        };
        var stored = ActualLrpLifecycle.Start(null, RunningInstance.From(request), Then, () => "e").Record!;

        Assert.True(ActualLrpLifecycle.Start(stored, RunningInstance.From(request), Now, () => "e").IsNoOp);

        request.AvailabilityZone = "z2";
        var moved = ActualLrpLifecycle.Start(stored, RunningInstance.From(request), Now, () => "e").Record!;
        Assert.Equal("z2", moved.AvailabilityZone);
        Assert.Equal("a", moved.MetricTags["app"]);
        Assert.Equal("h.internal", Assert.Single(moved.ActualLrpInternalRoutes).Hostname);
    }

    [Fact]
    public void EvacuateRunningReportsTheSameInstanceAsAStart()
    {
        var evacuate = new EvacuateRunningActualLRPRequest
        {
            ActualLrpKey = Key.Clone(),
            ActualLrpInstanceKey = CellA.Clone(),
            ActualLrpNetInfo = NetA.Clone(),
            Ttl = 60,
        };

        Assert.True(RunningInstance.From(evacuate).IsReportedBy(Running(CellA)));
    }

    // state, crash count, seconds in that state, new state, new count, auction
    public static TheoryData<string, int, long, string, int, bool> Crashes => new()
    {
        { "RUNNING", 0, 10, "UNCLAIMED", 1, true },
        { "RUNNING", 1, 10, "UNCLAIMED", 2, true },
        { "RUNNING", 2, 10, "CRASHED", 3, false },
        { "RUNNING", 5, 360, "UNCLAIMED", 1, true },
        { "RUNNING", 199, 10, "CRASHED", 200, false },
        { "CLAIMED", 1, 10, "UNCLAIMED", 2, true },
        { "CLAIMED", 2, 600, "CRASHED", 3, false },
    };

    [Theory]
    [MemberData(nameof(Crashes))]
    public void TheFirstTwoCrashesRestartImmediatelyAndTheThirdStaysCrashed(
        string state, int count, long secondsInState, string newState, int newCount, bool auction)
    {
        var current = state == ActualLrpStates.Running ? Running(CellA) : Claimed(CellA);
        current.CrashCount = count;
        current.Since = Now - (secondsInState * Second);

        var outcome = ActualLrpLifecycle.Crash(current, Key, CellA, "exit status 1", Now);

        var lrp = outcome.Record!;
        Assert.Equal(newState, lrp.State);
        Assert.Equal(newCount, lrp.CrashCount);
        Assert.Equal(auction, outcome.AuctionNeeded);
        Assert.Equal("exit status 1", lrp.CrashReason);
        Assert.Equal(new ActualLRPInstanceKey(), lrp.ActualLrpInstanceKey);
        Assert.Equal(new ActualLRPNetInfo(), lrp.ActualLrpNetInfo);
        Assert.Equal(Now, lrp.Since);
        Assert.Equal(4u, lrp.ModificationTag.Index);
        Assert.Null(lrp.Validate());
    }

    public static TheoryData<string> CrashRefusals => ["unclaimed", "crashed", "claimed by B", "running on B", "other domain"];

    [Theory]
    [MemberData(nameof(CrashRefusals))]
    public void CrashingAnUnclaimedOrCrashedLrpOrWithTheWrongKeyIsRefused(string stored)
    {
        var key = stored == "other domain" ? new ActualLRPKey { ProcessGuid = "pg", Domain = "elsewhere" } : Key;
        var current = stored switch
        {
            "unclaimed" => Unclaimed(),
            "crashed" => Crashed(3),
            "claimed by B" => Claimed(CellB),
            _ => Running(stored == "running on B" ? CellB : CellA),
        };

        var outcome = ActualLrpLifecycle.Crash(current, key, CellA, "boom", Now);

        AssertRefused(outcome, Error.Types.Type.ActualLrpcannotBeCrashed, "cannot crash actual LRP");
    }

    [Fact]
    public void ALongCrashReasonIsTruncated()
    {
        var outcome = ActualLrpLifecycle.Crash(Running(CellA), Key, CellA, new string('x', 5000), Now);

        Assert.Equal(1024, outcome.Record!.CrashReason.Length);
        Assert.EndsWith("(truncated)", outcome.Record.CrashReason, StringComparison.Ordinal);
    }

    [Fact]
    public void FailingAnUnclaimedLrpRecordsThePlacementError()
    {
        var outcome = ActualLrpLifecycle.Fail(Unclaimed(), "insufficient resources", Now);

        var lrp = outcome.Record!;
        Assert.Equal(ActualLrpStates.Unclaimed, lrp.State);
        Assert.Equal("insufficient resources", lrp.PlacementError);
        Assert.Equal(Now, lrp.Since);
        Assert.Equal(4u, lrp.ModificationTag.Index);
    }

    [Fact]
    public void APlacementErrorOverTheLimitIsTruncatedToTheLimitEndingInTruncated()
    {
        var outcome = ActualLrpLifecycle.Fail(Unclaimed(), new string('e', 1025), Now);

        var error = outcome.Record!.PlacementError;
        Assert.Equal(1024, error.Length);
        Assert.Equal(new string('e', 1013) + "(truncated)", error);
    }

    [Theory]
    [InlineData("CLAIMED")]
    [InlineData("RUNNING")]
    [InlineData("CRASHED")]
    public void FailingAnLrpThatIsNotUnclaimedIsRefused(string state)
    {
        var current = state switch
        {
            "CLAIMED" => Claimed(CellA),
            "RUNNING" => Running(CellA),
            _ => Crashed(3),
        };

        AssertRefused(ActualLrpLifecycle.Fail(current, "nope", Now), Error.Types.Type.ActualLrpcannotBeFailed, "cannot fail actual LRP");
    }

    [Theory]
    [InlineData("CLAIMED")]
    [InlineData("RUNNING")]
    [InlineData("CRASHED")]
    public void UnclaimingReturnsTheLrpToUnclaimedAndKeepsItsCrashes(string state)
    {
        var current = state switch
        {
            "CLAIMED" => Claimed(CellA),
            "RUNNING" => Running(CellA),
            _ => Crashed(4),
        };
        current.CrashCount = 4;

        var lrp = ActualLrpLifecycle.Unclaim(current, Now).Record!;

        Assert.Equal(ActualLrpStates.Unclaimed, lrp.State);
        Assert.Equal(new ActualLRPInstanceKey(), lrp.ActualLrpInstanceKey);
        Assert.Equal(new ActualLRPNetInfo(), lrp.ActualLrpNetInfo);
        Assert.Equal(4, lrp.CrashCount);
        Assert.Equal(Now, lrp.Since);
        Assert.Equal(4u, lrp.ModificationTag.Index);
        Assert.Null(lrp.Validate());
    }

    [Fact]
    public void UnclaimingAnUnclaimedLrpIsRefused() =>
        AssertRefused(ActualLrpLifecycle.Unclaim(Unclaimed(), Now), Error.Types.Type.ActualLrpcannotBeUnclaimed, "cannot unclaim actual LRP");

    [Fact]
    public void CrashFailAndUnclaimOfAMissingLrpAreNotFound()
    {
        AssertRefused(ActualLrpLifecycle.Crash(null, Key, CellA, "r", Now), Error.Types.Type.ResourceNotFound, "the requested resource could not be found");
        AssertRefused(ActualLrpLifecycle.Fail(null, "r", Now), Error.Types.Type.ResourceNotFound, "the requested resource could not be found");
        AssertRefused(ActualLrpLifecycle.Unclaim(null, Now), Error.Types.Type.ResourceNotFound, "the requested resource could not be found");
    }

    [Fact]
    public void RemovingNeedsTheRecordAndAMatchingInstanceKeyWhenOneIsGiven()
    {
        var current = Running(CellA);

        Assert.Same(current, ActualLrpLifecycle.Remove(current, null).Record);
        Assert.Same(current, ActualLrpLifecycle.Remove(current, CellA.Clone()).Record);
        AssertRefused(ActualLrpLifecycle.Remove(current, CellB), Error.Types.Type.ResourceNotFound, "the requested resource could not be found");
        AssertRefused(ActualLrpLifecycle.Remove(null, null), Error.Types.Type.ResourceNotFound, "the requested resource could not be found");
    }

    [Fact]
    public void AWriteToARecordWithoutATagStartsItsIndexAtOne()
    {
        var current = Unclaimed();
        current.ModificationTag = null;

        Assert.Equal(new ModificationTag { Epoch = string.Empty, Index = 1 }, ActualLrpLifecycle.Fail(current, "x", Now).Record!.ModificationTag);
    }

    private static void AssertRefused(LifecycleOutcome<ActualLRP> outcome, Error.Types.Type type, string message)
    {
        Assert.Null(outcome.Record);
        Assert.False(outcome.IsNoOp);
        Assert.Equal(type, outcome.Error!.Type);
        Assert.Equal(message, outcome.Error.Message);
    }

    private static RunningInstance StartOn(ActualLRPInstanceKey instanceKey, ActualLRPNetInfo netInfo) =>
        RunningInstance.From(new StartActualLRPRequest
        {
            ActualLrpKey = Key.Clone(),
            ActualLrpInstanceKey = instanceKey.Clone(),
            ActualLrpNetInfo = netInfo.Clone(),
        });

    private static ActualLRP Unclaimed() => Record(ActualLrpStates.Unclaimed, new ActualLRPInstanceKey(), new ActualLRPNetInfo());

    private static ActualLRP Claimed(ActualLRPInstanceKey holder) => Record(ActualLrpStates.Claimed, holder, new ActualLRPNetInfo());

    private static ActualLRP Running(ActualLRPInstanceKey holder)
    {
        var lrp = Record(ActualLrpStates.Running, holder, NetA);
        lrp.Routable = true;
        return lrp;
    }

    private static ActualLRP Crashed(int count)
    {
        var lrp = Record(ActualLrpStates.Crashed, new ActualLRPInstanceKey(), new ActualLRPNetInfo());
        lrp.CrashCount = count;
        return lrp;
    }

    private static ActualLRP Record(string state, ActualLRPInstanceKey instanceKey, ActualLRPNetInfo netInfo) => new()
    {
        ActualLrpKey = Key.Clone(),
        ActualLrpInstanceKey = instanceKey.Clone(),
        ActualLrpNetInfo = netInfo.Clone(),
        State = state,
        Since = Then,
        ModificationTag = new ModificationTag { Epoch = "e", Index = 3 },
    };
}
