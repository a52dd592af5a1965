using Bbs.Models.Rules;

namespace Bbs.Models.Tests.Rules;

public sealed class RestartCalculatorTests
{
    private const long Second = 1_000_000_000L;
    private const long Now = 1_700_000_000L * Second;

    // Waits after the Nth crash; -1 is "never again".
    public static TheoryData<int, long> Backoffs => new()
    {
        { 0, 0 },
        { 1, 0 },
        { 2, 0 },
        { 3, 30 },
        { 4, 60 },
        { 5, 120 },
        { 6, 240 },
        { 7, 480 },
        { 8, 960 },
        { 9, 960 },
        { 20, 960 },
        { 199, 960 },
        { 200, -1 },
        { 201, -1 },
    };

    [Theory]
    [MemberData(nameof(Backoffs))]
    public void BackoffDoublesFromThirtySecondsToSixteenMinutesAndStopsAtTwoHundredCrashes(int crashCount, long seconds)
    {
        var backoff = RestartCalculator.Backoff(crashCount);

        Assert.Equal(seconds < 0 ? null : TimeSpan.FromSeconds(seconds), backoff);
    }

    [Theory]
    [MemberData(nameof(Backoffs))]
    public void ACrashedLrpRestartsExactlyWhenItsBackoffHasPassed(int crashCount, long seconds)
    {
        var crashedAt = Now - (seconds * Second);
        var lrp = new ActualLRP { State = ActualLrpStates.Crashed, CrashCount = crashCount, Since = crashedAt };

        if (seconds < 0)
        {
            Assert.False(RestartCalculator.ShouldRestartCrash(Now + (365L * 24 * 3600 * Second), lrp));
            return;
        }

        Assert.True(RestartCalculator.ShouldRestartCrash(Now, lrp));
        if (seconds > 0)
        {
            Assert.False(RestartCalculator.ShouldRestartCrash(Now - 1, lrp));
        }
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(199, false)]
    [InlineData(200, false)]
    public void OnlyTheFirstThreeCrashesRestartImmediately(int crashCount, bool immediately) =>
        Assert.Equal(immediately, RestartCalculator.ShouldRestartImmediately(crashCount));

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void ImmediateRestartsDoNotWaitEvenForAClockBehindTheCrash(int crashCount) =>
        Assert.True(RestartCalculator.ShouldRestart(Now - Second, Now, crashCount));

    [Theory]
    [InlineData("UNCLAIMED")]
    [InlineData("CLAIMED")]
    [InlineData("RUNNING")]
    public void OnlyCrashedRecordsAreRestartedByConvergence(string state)
    {
        var lrp = new ActualLRP { State = state, CrashCount = 3, Since = Now - (3600 * Second) };

        Assert.False(RestartCalculator.ShouldRestartCrash(Now, lrp));
    }

    [Theory]
    [InlineData("RUNNING", 5, 301, 1)]
    [InlineData("RUNNING", 5, 300, 6)]
    [InlineData("RUNNING", 0, 10, 1)]
    [InlineData("RUNNING", 2, 10, 3)]
    [InlineData("CLAIMED", 5, 3600, 6)]
    [InlineData("CLAIMED", 0, 0, 1)]
    public void TheCrashCountResetsOnlyAfterRunningForMoreThanFiveMinutes(string state, int count, long secondsInState, int expected)
    {
        var lrp = new ActualLRP { State = state, CrashCount = count, Since = Now - (secondsInState * Second) };

        Assert.Equal(expected, RestartCalculator.NextCrashCount(lrp, Now));
    }

    [Fact]
    public void TheResetNeedsStrictlyMoreThanFiveMinutes()
    {
        var lrp = new ActualLRP { State = ActualLrpStates.Running, CrashCount = 4, Since = Now - (300 * Second) };

        Assert.Equal(5, RestartCalculator.NextCrashCount(lrp, Now));
        Assert.Equal(1, RestartCalculator.NextCrashCount(lrp, Now + 1));
    }

    [Theory]
    [InlineData("UNCLAIMED", 31, true)]
    [InlineData("UNCLAIMED", 30, false)]
    [InlineData("UNCLAIMED", 0, false)]
    [InlineData("CLAIMED", 3600, false)]
    [InlineData("CRASHED", 3600, false)]
    public void AnUnclaimedRecordIsStaleAfterThirtySeconds(string state, long age, bool stale)
    {
        var lrp = new ActualLRP { State = state, Since = Now - (age * Second) };

        Assert.Equal(stale, RestartCalculator.IsStaleUnclaimed(lrp, Now));
    }

    [Fact]
    public void TheDefaultPolicyIsBbsDefault()
    {
        var policy = RestartPolicy.Default;

        Assert.Equal(3, policy.ImmediateRestarts);
        Assert.Equal(TimeSpan.FromMinutes(16), policy.MaxBackoffDuration);
        Assert.Equal(200, policy.MaxRestartAttempts);
        Assert.Equal(5, policy.MaxBackoffCount);
        Assert.Equal(TimeSpan.FromSeconds(30), RestartPolicy.MinBackoffDuration);
        Assert.Equal(TimeSpan.FromMinutes(5), RestartCalculator.CrashResetTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), RestartCalculator.StaleUnclaimedDuration);
    }

    [Theory]
    [InlineData(60, 1)]
    [InlineData(90, 1)]
    [InlineData(120, 2)]
    [InlineData(960, 5)]
    [InlineData(1000, 5)]
    public void MaxBackoffCountIsTheWholeNumberOfDoublingsThatFitTheMaximum(int maxSeconds, int count) =>
        Assert.Equal(count, new RestartPolicy(3, TimeSpan.FromSeconds(maxSeconds), 200).MaxBackoffCount);

    [Fact]
    public void ACustomPolicyCapsItsOwnBackoff()
    {
        var policy = new RestartPolicy(1, TimeSpan.FromSeconds(90), 10);

        Assert.Equal(TimeSpan.Zero, RestartCalculator.Backoff(0, policy));
        Assert.Equal(TimeSpan.FromSeconds(30), RestartCalculator.Backoff(1, policy));
        Assert.Equal(TimeSpan.FromSeconds(60), RestartCalculator.Backoff(2, policy));
        Assert.Equal(TimeSpan.FromSeconds(60), RestartCalculator.Backoff(3, policy));
        Assert.Null(RestartCalculator.Backoff(10, policy));
    }
}
