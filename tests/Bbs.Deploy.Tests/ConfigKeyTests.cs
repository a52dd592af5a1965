namespace Bbs.Deploy.Tests;

public sealed class ConfigKeyTests
{
    /// <summary>Every deploy file that configures a server.</summary>
    public static TheoryData<string> ConfiguringFiles()
    {
        var files = new TheoryData<string> { "docker-compose.yml", "deploy/Dockerfile" };
        foreach (string file in RepositoryFiles.UnderDeploy(".yml", ".yaml", ".json", ".service"))
        {
            files.Add(file);
        }

        return files;
    }

    [Theory]
    [MemberData(nameof(ConfiguringFiles))]
    public void EveryConfigurationKeyInADeployFileIsAServerOption(string file)
    {
        var unknown = ConfigKeys.InFile(file).Where(k => !ConfigKeys.Known.Contains(k)).Distinct().ToList();

        Assert.True(unknown.Count == 0, $"{file} sets keys no option of the server has: {string.Join(", ", unknown)}");
    }

    [Theory]
    [InlineData("docker-compose.yml", "listen_address", "metrics_address", "store", "etcd_endpoints", "advertise_url")]
    [InlineData("deploy/Dockerfile", "listen_address", "metrics_address")]
    [InlineData("deploy/kubernetes/configmap.yaml", "listen_address", "metrics_address", "store", "cert_file", "key_file", "ca_file", "log_level")]
    [InlineData("deploy/kubernetes/deployment.yaml", "uuid", "advertise_url", "encryption_keys", "active_key_label")]
    [InlineData("deploy/systemd/bbs.service", "listen_address", "metrics_address", "etcd_ca_file", "cert_file", "uuid")]
    public void TheKeysOfEachDeployFileAreFound(string file, params string[] expected)
    {
        var found = ConfigKeys.InFile(file);

        Assert.All(expected, key => Assert.Contains(key, found));
    }

    [Fact]
    public void AMisspelledKeyIsNotAServerOption()
    {
        string deployment = """
            env:
              - name: Bbs__metrics_adress
                value: 0.0.0.0:8890
            args: ["--Bbs:listen_adress=0.0.0.0:8889"]
            """;
        string configMap = """
            kind: ConfigMap
            data:
              appsettings.json: '{ "Bbs": { "encryption_key": [] } }'
            """;

        var keys = ConfigKeys.InYaml(deployment).Concat(ConfigKeys.InYaml(configMap)).ToList();

        Assert.Equal(["metrics_adress", "listen_adress", "encryption_key"], keys);
        Assert.DoesNotContain(keys, ConfigKeys.Known.Contains);
    }

    [Fact]
    public void AListIndexIsNotPartOfTheKey()
    {
        Assert.Equal(["encryption_keys", "encryption_keys"], ConfigKeys.InText("Bbs__encryption_keys__0=a:b --Bbs:encryption_keys:1=c:d"));
    }

    [Theory]
    [InlineData("listen_address")]
    [InlineData("metrics_address")]
    [InlineData("encryption_keys")]
    [InlineData("max_txn_ops")]
    [InlineData("auctioneer_address")]
    [InlineData("lock_ttl")]
    [InlineData("event_subscriber_buffer")]
    [InlineData("task_callback_workers")]
    [InlineData("log_level")]
    public void TheKnownKeysComeFromEveryOptionClass(string key)
    {
        Assert.Contains(key, ConfigKeys.Known);
    }
}
