using Bbs.Server.Hosting.Configuration;
using Bbs.Server.Tests.Cluster;

namespace Bbs.Server.Tests.Hosting;

/// <summary>Configuration as a person meets it: Go durations, one line for a wrong value, --help and --version, on real processes.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("500ms", 500)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2h45m30.5s", 9_930_500)]
    [InlineData("0", 0)]
    [InlineData("00:00:30", 30_000)]
    [InlineData("00:00:00.010", 10)]
    [InlineData("1.00:00:00", 86_400_000)]
    public void DurationsAreReadInGosFormAndInDotNetsForm(string text, long milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("30")]
    [InlineData("30x")]
    [InlineData("s")]
    [InlineData("1h-5m")]
    [InlineData("")]
    [InlineData("1:2:3:4")]
    public void ABareNumberOrAnUnknownUnitIsNotADuration(string text)
    {
        Assert.False(GoDuration.TryParse(text, out _));
    }

    [Theory]
    [InlineData(30_000, "30s")]
    [InlineData(5_400_000, "1h30m")]
    [InlineData(50, "50ms")]
    [InlineData(1_500, "1.5s")]
    [InlineData(0, "0s")]
    public void DurationsAreWrittenInGosForm(long milliseconds, string text)
    {
        Assert.Equal(text, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Fact]
    public async Task AServerStartsWithGoDurations()
    {
        var settings = new Dictionary<string, string>
        {
            ["Bbs:kick_task_duration"] = "30s",
            ["Bbs:expire_pending_task_duration"] = "30m",
            ["Bbs:converge_repeat_interval"] = "1h30m",
            ["Bbs:auction_batch_window"] = "10ms",
            ["Bbs:lock_ttl"] = "00:00:10",
        };
        await using var server = new BbsProcess("go-durations", "go-durations", BbsProcess.FreePort(), settings);
        server.Start();

        await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
    }

    [Theory]
    [InlineData("--Bbs:store=bogus", "Bbs:store is 'bogus'; valid: embedded, etcd")]
    [InlineData("--Bbs:log_level=verbose", "Bbs:log_level is 'verbose'; valid: debug, info, warn, error, fatal")]
    [InlineData("--Bbs:kick_task_duration=30x", "Bbs:kick_task_duration is '30x'; valid: a duration such as 30s, 5m, 1h30m, 500ms, or hh:mm:ss")]
    [InlineData("--Bbs:max_requests_in_flight=0", "Bbs:max_requests_in_flight is '0'; valid: an integer from 1 to 1000000")]
    [InlineData("--Bbs:validate_records=yes", "Bbs:validate_records is 'yes'; valid: true or false")]
    [InlineData("--Bbs:otlp_protocol=http", "Bbs:otlp_protocol is 'http'; valid: grpc, http/protobuf")]
    [InlineData("--Bbs:metrics_address=localhost", "Bbs:metrics_address is 'localhost'; valid: host:port")]
    [InlineData("--Bbs:log_levle=debug", "Bbs:log_levle is not an option; did you mean log_level? --help lists every option")]
    [InlineData("--Bbs:cert_file=/nonexistent/cert.pem", "Bbs:cert_file is '/nonexistent/cert.pem' and Bbs:key_file is ''; valid: both set (TLS) or neither")]
    public async Task AnInvalidValueEndsStartUpWithOneLineNamingKeyValueAndWhatIsValid(string argument, string expected)
    {
        var run = await ServerCommand.RunAsync(argument);

        Assert.Equal(2, run.ExitCode);
        var lines = run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("invalid configuration: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.StandardOutput + run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingFileIsNamedWithItsKey()
    {
        var run = await ServerCommand.RunAsync("--Bbs:store=etcd", "--Bbs:etcd_ca_file=/nonexistent/ca.pem");

        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Bbs:etcd_ca_file is '/nonexistent/ca.pem'; valid: a readable file", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpListsEveryOptionWithItsDefaultAndMeaningAndExits()
    {
        var run = await ServerCommand.RunAsync("--help");

        Assert.Equal(0, run.ExitCode);
        var lines = run.StandardOutput.Split('\n');
        Assert.All(BbsOptionCatalog.All, option =>
        {
            var line = lines.FirstOrDefault(l => l.StartsWith(option.Key + " ", StringComparison.Ordinal));
            Assert.True(line is not null, $"--help has no line for {option.Key}:\n{run.StandardOutput}");
            Assert.Contains(option.DefaultText ?? "none", line, StringComparison.Ordinal);
        });
        Assert.Contains(lines, l => l.StartsWith("kick_task_duration ", StringComparison.Ordinal) && l.Contains(" 30s ", StringComparison.Ordinal) && l.Contains("re-auctioned", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("store ", StringComparison.Ordinal) && l.Contains(" embedded ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task VersionPrintsTheVersionAndExits()
    {
        var run = await ServerCommand.RunAsync("--version");

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"^Bbs\.Server \d+\.\d+\.\d+\S*\n$", run.StandardOutput);
    }
}
