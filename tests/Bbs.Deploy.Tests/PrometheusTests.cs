using System.Text.Json;

namespace Bbs.Deploy.Tests;

/// <summary>deploy/prometheus and the Grafana dashboard, checked by promtool and against the server's metric names.</summary>
public sealed class PrometheusTests
{
    private const string Config = "deploy/prometheus/prometheus.yml";
    private const string Rules = "deploy/prometheus/alerts.yml";
    private const string RuleTests = "deploy/prometheus/alerts.test.yml";
    private const string Dashboard = "deploy/grafana/bbs-dashboard.json";

    private static readonly string[] Severities = ["warning", "critical"];

    private static readonly string[] ExpectedAlerts = ["BbsRequestLatencyHigh", "BbsConvergenceSlow", "BbsLrpsMissing", "BbsNoLockHolder"];

    [SkippableFact]
    public void TheScrapeConfigAndTheRulesItLoadsAreValid()
    {
        var (exitCode, output) = Promtool.Run(RepositoryFiles.Root, "check", "config", Config);

        Assert.True(exitCode == 0, output);
        Assert.Contains("1 rule files found", output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void TheAlertRulesAreValid()
    {
        var (exitCode, output) = Promtool.Run(RepositoryFiles.Root, "check", "rules", Rules);

        Assert.True(exitCode == 0, output);
    }

    [SkippableFact]
    public void EachAlertFiresPastItsThresholdAndNotBelowIt()
    {
        var (exitCode, output) = Promtool.Run(RepositoryFiles.Root, "test", "rules", RuleTests);

        Assert.True(exitCode == 0, output);
    }

    /// <summary>The rule tests can fail: each of these changes to alerts.yml makes promtool's test run fail.</summary>
    [SkippableTheory]
    [InlineData(") > 5\n", ") > 10\n")]
    [InlineData("  > 10\n", "  > 13\n")]
    [InlineData(" and on (instance) (bbs_lock_held == 1)", "")]
    [InlineData(" or absent(bbs_lock_held)", "")]
    [InlineData("for: 5m", "for: 10m")]
    public void TheRuleTestsFailWhenAThresholdMoves(string original, string replacement)
    {
        string rules = RepositoryFiles.Read(Rules);
        Assert.Contains(original, rules, StringComparison.Ordinal);
        string dir = Directory.CreateTempSubdirectory("bbs-alerts-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "alerts.yml"), rules.Replace(original, replacement, StringComparison.Ordinal));
            File.Copy(RepositoryFiles.PathOf(RuleTests), Path.Combine(dir, "alerts.test.yml"));

            var (exitCode, output) = Promtool.Run(dir, "test", "rules", "alerts.test.yml");

            Assert.True(exitCode != 0, $"the rule tests still pass with '{original.Trim()}' changed to '{replacement.Trim()}':\n{output}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TheFourAlertsExistEachWithASummaryADescriptionAndASeverity()
    {
        var alerts = AlertRules().ToDictionary(r => Yaml.Str(r["alert"], "alert"));

        Assert.Equal(ExpectedAlerts.Order(), alerts.Keys.Order());
        Assert.All(alerts, alert =>
        {
            var annotations = Yaml.Map(alert.Value.GetValueOrDefault("annotations"), $"{alert.Key} annotations");
            Assert.False(string.IsNullOrWhiteSpace(annotations.GetValueOrDefault("summary") as string), $"{alert.Key} has no summary");
            Assert.False(string.IsNullOrWhiteSpace(annotations.GetValueOrDefault("description") as string), $"{alert.Key} has no description");
            Assert.Contains(Yaml.Map(alert.Value["labels"], "labels")["severity"], Severities);
        });
    }

    [Fact]
    public void EachAlertIsTestedFiringAndQuiet()
    {
        var cases = Yaml.Seq(Yaml.LoadMapping(RepositoryFiles.Read(RuleTests))["tests"], "tests")
            .SelectMany(t => Yaml.Seq(Yaml.Map(t, "test")["alert_rule_test"], "alert_rule_test"))
            .Select(c => Yaml.Map(c, "alert_rule_test"))
            .Select(c => (Alert: Yaml.Str(c["alertname"], "alertname"), Fires: Yaml.Seq(c["exp_alerts"], "exp_alerts").Count > 0))
            .ToList();

        Assert.All(ExpectedAlerts, alert =>
        {
            Assert.Contains((alert, true), cases);
            Assert.Contains((alert, false), cases);
        });
    }

    [Fact]
    public void TheAlertsAndTheDashboardReadOnlyMetricsTheServerExports()
    {
        var expressions = AlertRules().Select(r => ("alerts.yml " + r["alert"], Yaml.Str(r["expr"], "expr")))
            .Concat(DashboardQueries().Select(q => ("dashboard " + q.Panel, q.Expr)));

        var unknown = expressions.SelectMany(e => MetricNames.In(e.Item2).Where(s => !MetricNames.IsExported(s)).Select(s => $"{e.Item1}: {s}")).ToList();

        Assert.True(unknown.Count == 0, "series no Bbs server exports: " + string.Join("; ", unknown));
    }

    [Fact]
    public void TheDashboardCoversTheServersMetrics()
    {
        var read = DashboardQueries().SelectMany(q => MetricNames.In(q.Expr)).ToHashSet();

        var unread = MetricNames.Others.Where(m => !read.Contains(m))
            .Concat(MetricNames.Histograms.Where(h => !read.Any(s => s.StartsWith(h, StringComparison.Ordinal))))
            .ToList();

        Assert.True(unread.Count == 0, "metrics the dashboard shows nowhere: " + string.Join(", ", unread));
    }

    /// <summary>The dashboard's queries are valid PromQL: promtool checks them as recording rules, Grafana's $__rate_interval made 5m.</summary>
    [SkippableFact]
    public void EveryDashboardQueryIsValidPromQl()
    {
        var queries = DashboardQueries().ToList();
        Assert.NotEmpty(queries);
        string file = Path.Combine(Directory.CreateTempSubdirectory("bbs-dashboard-").FullName, "dashboard-rules.yml");
        try
        {
            var rules = queries.Select((q, i) => $"      - record: dashboard:query_{i}\n        expr: {JsonSerializer.Serialize(q.Expr.Replace("$__rate_interval", "5m", StringComparison.Ordinal))}\n");
            File.WriteAllText(file, "groups:\n  - name: dashboard\n    rules:\n" + string.Concat(rules));

            var (exitCode, output) = Promtool.Run(RepositoryFiles.Root, "check", "rules", file);

            Assert.True(exitCode == 0, output);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    private static IEnumerable<Dictionary<string, object?>> AlertRules() =>
        Yaml.Seq(Yaml.LoadMapping(RepositoryFiles.Read(Rules))["groups"], "groups")
            .SelectMany(g => Yaml.Seq(Yaml.Map(g, "group")["rules"], "rules"))
            .Select(r => Yaml.Map(r, "rule"))
            .Where(r => r.ContainsKey("alert"));

    private static List<(string Panel, string Expr)> DashboardQueries()
    {
        using var dashboard = JsonDocument.Parse(RepositoryFiles.Read(Dashboard));
        var queries = new List<(string Panel, string Expr)>();
        foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
        {
            if (panel.TryGetProperty("targets", out var targets))
            {
                queries.AddRange(targets.EnumerateArray().Select(t => (panel.GetProperty("title").GetString()!, t.GetProperty("expr").GetString()!)));
            }
        }

        return queries;
    }
}
