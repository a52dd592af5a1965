namespace Bbs.Deploy.Tests;

/// <summary>
/// docker-compose.yml, checked structurally (there is no Docker engine or compose plugin here to run
/// <c>docker compose config</c>): references resolve, and Prometheus scrapes every Bbs server.
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly HashSet<string> TopLevelKeys = ["name", "services", "volumes", "networks", "configs", "secrets"];

    private static readonly HashSet<string> ServiceKeys =
    [
        "build", "image", "command", "entrypoint", "environment", "env_file", "ports", "expose", "volumes", "depends_on",
        "healthcheck", "restart", "networks", "labels", "user", "working_dir", "container_name", "hostname", "deploy",
        "logging", "ulimits", "stop_grace_period", "profiles",
    ];

    private static readonly Dictionary<string, object?> Compose = Yaml.LoadMapping(RepositoryFiles.Read("docker-compose.yml"));

    private static Dictionary<string, object?> Services => Yaml.Map(Compose["services"], "services");

    /// <summary>The services built from the server's Dockerfile.</summary>
    private static IEnumerable<(string Name, Dictionary<string, object?> Service)> BbsServers() =>
        Services.Select(s => (s.Key, Yaml.Map(s.Value, s.Key)))
            .Where(s => s.Item2.GetValueOrDefault("build") is Dictionary<string, object?> build && build.GetValueOrDefault("dockerfile") is "deploy/Dockerfile");

    [Fact]
    public void OnlyComposeKeysAreUsed()
    {
        Assert.All(Compose.Keys, key => Assert.True(TopLevelKeys.Contains(key) || key.StartsWith("x-", StringComparison.Ordinal), $"top-level key {key}"));
        Assert.All(Services, s => Assert.All(Yaml.Map(s.Value, s.Key).Keys, key => Assert.True(ServiceKeys.Contains(key), $"{s.Key}: unknown key {key}")));
    }

    [Fact]
    public void EveryServiceHasAnImageOrABuildWithAnExistingDockerfile()
    {
        Assert.All(Services, s =>
        {
            var service = Yaml.Map(s.Value, s.Key);
            if (service.GetValueOrDefault("build") is Dictionary<string, object?> build)
            {
                string context = Yaml.Str(build["context"], "context");
                Assert.True(File.Exists(RepositoryFiles.PathOf(Path.Combine(context, Yaml.Str(build["dockerfile"], "dockerfile")))), $"{s.Key}: no Dockerfile");
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(service.GetValueOrDefault("image") as string), $"{s.Key} has neither image nor build");
            }
        });
    }

    [Fact]
    public void DependenciesNameServices()
    {
        Assert.All(Services, s =>
        {
            var dependsOn = Yaml.Map(s.Value, s.Key).GetValueOrDefault("depends_on") switch
            {
                null => [],
                List<object?> list => list.Select(d => Yaml.Str(d, "depends_on")),
                Dictionary<string, object?> map => map.Keys,
                _ => throw new InvalidDataException($"{s.Key}: depends_on"),
            };
            Assert.All(dependsOn, d => Assert.True(Services.ContainsKey(d), $"{s.Key} depends on unknown service {d}"));
        });
    }

    [Fact]
    public void NamedVolumesAreDeclaredAndBindMountsExist()
    {
        var declared = Yaml.Map(Compose["volumes"], "volumes").Keys.ToHashSet();
        Assert.All(Services, s =>
        {
            var volumes = Yaml.Map(s.Value, s.Key).GetValueOrDefault("volumes") as List<object?> ?? [];
            Assert.All(volumes.Select(v => Yaml.Str(v, "volume").Split(':')[0]), source =>
            {
                if (source.StartsWith('.') || source.StartsWith('/'))
                {
                    Assert.True(Directory.Exists(RepositoryFiles.PathOf(source)) || File.Exists(RepositoryFiles.PathOf(source)), $"{s.Key}: {source} does not exist");
                }
                else
                {
                    Assert.True(declared.Contains(source), $"{s.Key}: volume {source} is not declared");
                }
            });
        });
    }

    [Fact]
    public void PrometheusScrapesTheMetricsAddressOfEveryBbsServer()
    {
        var servers = BbsServers().ToList();
        Assert.True(servers.Count >= 2, "expected more than one Bbs server (one holds the lock)");
        var expected = servers.Select(s =>
        {
            var environment = Yaml.Map(s.Service["environment"], $"{s.Name} environment");
            string metricsAddress = Yaml.Str(environment["Bbs__metrics_address"], "Bbs__metrics_address");
            return $"{s.Name}:{metricsAddress.Split(':')[^1]}";
        });

        var prometheus = Yaml.LoadMapping(RepositoryFiles.Read("deploy/prometheus/prometheus.yml"));
        var job = Yaml.Seq(prometheus["scrape_configs"], "scrape_configs").Select(j => Yaml.Map(j, "job")).Single(j => j["job_name"] is "bbs");
        var targets = Yaml.Seq(job["static_configs"], "static_configs").SelectMany(c => Yaml.Seq(Yaml.Map(c, "static_config")["targets"], "targets")).Select(t => Yaml.Str(t, "target"));

        Assert.Equal(expected.Order(), targets.Order());
        Assert.Equal("/metrics", job["metrics_path"]);
    }

    [Fact]
    public void PrometheusLoadsTheRepositorysConfigAndRules()
    {
        var prometheus = Yaml.Map(Services["prometheus"], "prometheus");
        var command = Yaml.Seq(prometheus["command"], "command").Select(c => Yaml.Str(c, "command")).ToList();
        var volumes = Yaml.Seq(prometheus["volumes"], "volumes").Select(v => Yaml.Str(v, "volume")).ToList();

        Assert.Contains("--config.file=/etc/prometheus/prometheus.yml", command);
        Assert.Contains("./deploy/prometheus:/etc/prometheus:ro", volumes);
        Assert.All(BbsServers(), s => Assert.Contains(s.Name, Yaml.Seq(prometheus["depends_on"], "depends_on")));
    }

    [Fact]
    public void TheBbsHealthcheckProbesReadinessOnTheMetricsPort()
    {
        Assert.All(BbsServers(), s =>
        {
            string port = Yaml.Str(Yaml.Map(s.Service["environment"], "environment")["Bbs__metrics_address"], "metrics_address").Split(':')[^1];
            string test = string.Join(' ', Yaml.Seq(Yaml.Map(s.Service["healthcheck"], "healthcheck")["test"], "test").Cast<string>());
            Assert.Contains($"/dev/tcp/127.0.0.1/{port}", test, StringComparison.Ordinal);
            Assert.Contains("GET /readyz", test, StringComparison.Ordinal);
        });
    }
}
