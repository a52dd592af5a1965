using Bbs.Testing.Time;

namespace Bbs.Etcd.Tests;

/// <summary>The one backoff of the reconnect loops, and the outage state that paces their logs.</summary>
public sealed class ReconnectBackoffTests
{
    private static readonly ReconnectBackoff Backoff = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30));

    [Fact]
    public void PausesDoubleFromTheBaseWithJitterBetweenHalfAndAllOfEachStep()
    {
        for (int failures = 1; failures <= 9; failures++)
        {
            var step = TimeSpan.FromMilliseconds(100 * Math.Pow(2, failures - 1));
            Assert.Equal(step / 2, Backoff.Delay(failures, 0));
            Assert.Equal(step * 0.75, Backoff.Delay(failures, 0.5));
            Assert.InRange(Backoff.Delay(failures), step / 2, step);
        }
    }

    [Fact]
    public void PausesStopGrowingAtTheCap()
    {
        Assert.Equal(TimeSpan.FromSeconds(15), Backoff.Delay(10, 0));
        Assert.Equal(TimeSpan.FromSeconds(15), Backoff.Delay(1_000, 0));
        Assert.Equal(TimeSpan.FromSeconds(30), Backoff.Delay(int.MaxValue, 1));
        Assert.All(Enumerable.Range(1, 200), n => Assert.InRange(Backoff.Delay(n), TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void JitterSpreadsThePauses()
    {
        var pauses = Enumerable.Range(0, 50).Select(_ => Backoff.Delay(5)).Distinct().Count();

        Assert.True(pauses > 10, $"{pauses} distinct pauses out of 50");
    }

    [Fact]
    public void AnOutageIsReportedWhenItBeginsAndWhenItEndsWithItsLengthAndAttempts()
    {
        var time = new ManualTimeProvider();
        var outage = new Outage(Backoff, time);
        var reports = new List<OutageReport>();
        var pauses = new List<TimeSpan>();

        for (int i = 0; i < 12; i++)
        {
            var attempt = outage.Failed();
            reports.Add(attempt.Report);
            pauses.Add(attempt.Pause);
            time.Advance(attempt.Pause);
        }

        var elapsed = pauses.Aggregate(TimeSpan.Zero, (a, b) => a + b);
        Assert.True(outage.IsActive);
        Assert.True(outage.Recovered(out var down, out long attempts));
        Assert.False(outage.IsActive);
        Assert.False(outage.Recovered(out _, out _));

        Assert.Equal(OutageReport.Began, reports[0]);
        Assert.All(reports.Skip(1), r => Assert.Equal(OutageReport.None, r));
        Assert.Equal(12, attempts);
        Assert.Equal(elapsed, down);

        // Below the cap (the first 9 pauses: 100 ms to 25.6 s), each pause is at least the one two failures before
        // it (jitter halves at most, the step doubles); then each is between half of and the whole cap.
        for (int i = 2; i < 9; i++)
        {
            Assert.True(pauses[i] >= pauses[i - 2], $"pause {i} ({pauses[i]}) is shorter than pause {i - 2} ({pauses[i - 2]})");
        }

        Assert.All(pauses.Skip(10), p => Assert.InRange(p, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void ASuccessResetsTheBackoffAndTheNextFailureBeginsANewOutage()
    {
        var time = new ManualTimeProvider();
        var outage = new Outage(Backoff, time);
        for (int i = 0; i < 10; i++)
        {
            time.Advance(outage.Failed().Pause);
        }

        outage.Recovered(out _, out _);
        var next = outage.Failed();

        Assert.Equal(OutageReport.Began, next.Report);
        Assert.Equal(1, next.Attempts);
        Assert.InRange(next.Pause, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void ALongOutageIsRemindedOfOncePerReminderIntervalNotPerAttempt()
    {
        var time = new ManualTimeProvider();
        var outage = new Outage(Backoff, time, TimeSpan.FromMinutes(5));
        var reports = new List<OutageAttempt>();
        while (time.GetUtcNow() < new DateTimeOffset(2025, 1, 1, 0, 16, 0, TimeSpan.Zero))
        {
            var attempt = outage.Failed();
            reports.Add(attempt);
            time.Advance(attempt.Pause);
        }

        var reminders = reports.Where(r => r.Report == OutageReport.StillDown).ToList();
        Assert.Single(reports, r => r.Report == OutageReport.Began);
        Assert.Equal(3, reminders.Count);
        Assert.All(reminders, r => Assert.True(r.Down >= TimeSpan.FromMinutes(5)));
        Assert.True(reports.Count < 16 * 60 / 15 + 12, $"{reports.Count} attempts in 16 minutes");
    }
}
