using System.Text.Json;

namespace Bbs.Deploy.Tests;

/// <summary>deploy/kubernetes: the objects refer to each other correctly and probe the right port and paths.</summary>
public sealed class KubernetesManifestTests
{
    private const string Dir = "deploy/kubernetes";

    private static readonly string[] TlsKeys = ["cert_file", "key_file", "ca_file"];

    private static readonly List<Dictionary<string, object?>> Objects =
        [.. RepositoryFiles.UnderDeploy(".yaml").Where(f => f.StartsWith(Dir + "/", StringComparison.Ordinal) && !f.EndsWith("/kustomization.yaml", StringComparison.Ordinal))
            .SelectMany(f => Yaml.LoadAll(RepositoryFiles.Read(f)))
            .Select(o => Yaml.Map(o, "manifest"))];

    private static Dictionary<string, object?> One(string kind) => Objects.Single(o => o["kind"] as string == kind);

    private static Dictionary<string, object?> At(Dictionary<string, object?> node, string path) =>
        path.Split('.').Aggregate(node, (n, key) => Yaml.Map(n[key], path));

    private static Dictionary<string, object?> Deployment => One("Deployment");

    private static Dictionary<string, object?> PodSpec => At(Deployment, "spec.template.spec");

    private static Dictionary<string, object?> Container => Yaml.Map(Yaml.Seq(PodSpec["containers"], "containers").Single(), "container");

    private static Dictionary<string, object?> ServerConfig
    {
        get
        {
            var data = At(One("ConfigMap"), "data");
            using var json = JsonDocument.Parse(Yaml.Str(data["appsettings.Production.json"], "appsettings.Production.json"));
            return json.RootElement.GetProperty("Bbs").EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.ToString());
        }
    }

    [Fact]
    public void KustomizeAppliesEveryManifest()
    {
        var listed = Yaml.Seq(Yaml.LoadMapping(RepositoryFiles.Read($"{Dir}/kustomization.yaml"))["resources"], "resources").Select(r => $"{Dir}/{r}");
        var files = RepositoryFiles.UnderDeploy(".yaml").Where(f => f.StartsWith(Dir + "/", StringComparison.Ordinal) && !f.EndsWith("/kustomization.yaml", StringComparison.Ordinal));

        Assert.Equal(files.Order(), listed.Order());
    }

    [Fact]
    public void TheDeploymentRunsThreeReplicasThatTheServiceAndTheBudgetSelect()
    {
        var podLabels = At(Deployment, "spec.template.metadata.labels");

        Assert.Equal("3", Deployment["spec"] is Dictionary<string, object?> spec ? spec["replicas"] : null);
        Assert.All(new[] { At(Deployment, "spec.selector.matchLabels"), At(One("Service"), "spec.selector"), At(One("PodDisruptionBudget"), "spec.selector.matchLabels") },
            selector => Assert.All(selector, label => Assert.Equal(label.Value, podLabels.GetValueOrDefault(label.Key))));
        Assert.Equal("1", At(One("PodDisruptionBudget"), "spec")["maxUnavailable"]);
    }

    [Theory]
    [InlineData("livenessProbe", "/healthz")]
    [InlineData("readinessProbe", "/readyz")]
    public void ProbesUseThePlainHttpMetricsAddress(string probe, string path)
    {
        var httpGet = At(Container, $"{probe}.httpGet");
        var port = Yaml.Seq(Container["ports"], "ports").Select(p => Yaml.Map(p, "port")).Single(p => p["name"] as string == Yaml.Str(httpGet["port"], "port"));

        Assert.Equal(path, httpGet["path"]);
        Assert.Equal(Yaml.Str(ServerConfig["metrics_address"], "metrics_address").Split(':')[^1], port["containerPort"]);
        Assert.False(httpGet.ContainsKey("scheme") && httpGet["scheme"] as string == "HTTPS", "the metrics listener is plain HTTP");
    }

    [Fact]
    public void TheServicePortsNameContainerPortsAndTheApiPortIsTheListenAddress()
    {
        var containerPorts = Yaml.Seq(Container["ports"], "ports").Select(p => Yaml.Map(p, "port")).ToDictionary(p => Yaml.Str(p["name"], "name"), p => p["containerPort"]);

        Assert.All(Yaml.Seq(At(One("Service"), "spec")["ports"], "ports").Select(p => Yaml.Map(p, "port")), p => Assert.Contains(Yaml.Str(p["targetPort"], "targetPort"), containerPorts.Keys));
        Assert.Equal(Yaml.Str(ServerConfig["listen_address"], "listen_address").Split(':')[^1], containerPorts["api"]);
    }

    [Fact]
    public void TheConfigMapIsMountedAsTheProductionSettingsFile()
    {
        var volume = Volumes().Single(v => v.ContainsKey("configMap"));
        var mount = Mounts().Single(m => m["name"] as string == volume["name"] as string);

        Assert.Equal(At(One("ConfigMap"), "metadata")["name"], At(volume, "configMap")["name"]);
        Assert.Equal("/app/appsettings.Production.json", mount["mountPath"]);
        Assert.Contains(Yaml.Str(mount["subPath"], "subPath"), At(One("ConfigMap"), "data").Keys);
    }

    [Fact]
    public void TheTlsFilesOfTheConfigAreMountedFromTheSecret()
    {
        var secret = One("Secret");
        var volume = Volumes().Single(v => v.ContainsKey("secret"));
        var source = At(volume, "secret");
        string mountPath = Yaml.Str(Mounts().Single(m => m["name"] as string == volume["name"] as string)["mountPath"], "mountPath");
        var items = Yaml.Seq(source["items"], "items").Select(i => Yaml.Map(i, "item")).ToList();

        Assert.Equal(At(secret, "metadata")["name"], source["secretName"]);
        Assert.All(items, i => Assert.Contains(Yaml.Str(i["key"], "key"), At(secret, "stringData").Keys));
        Assert.All(TlsKeys, key =>
        {
            string file = Yaml.Str(ServerConfig[key], key);
            Assert.Equal(mountPath, Path.GetDirectoryName(file));
            Assert.Contains(items, i => i["path"] as string == Path.GetFileName(file));
        });
    }

    [Fact]
    public void TheEncryptionKeysComeFromTheSecret()
    {
        var secret = One("Secret");
        var fromSecret = Yaml.Seq(Container["env"], "env").Select(e => Yaml.Map(e, "env"))
            .Where(e => e.GetValueOrDefault("valueFrom") is Dictionary<string, object?> from && from.ContainsKey("secretKeyRef"))
            .ToDictionary(e => Yaml.Str(e["name"], "name"), e => At(e, "valueFrom.secretKeyRef"));

        Assert.Contains("Bbs__encryption_keys__0", fromSecret.Keys);
        Assert.Contains("Bbs__active_key_label", fromSecret.Keys);
        Assert.All(fromSecret.Values, r =>
        {
            Assert.Equal(At(secret, "metadata")["name"], r["name"]);
            Assert.Contains(Yaml.Str(r["key"], "key"), At(secret, "stringData").Keys);
        });
    }

    private static IEnumerable<Dictionary<string, object?>> Volumes() => Yaml.Seq(PodSpec["volumes"], "volumes").Select(v => Yaml.Map(v, "volume"));

    private static IEnumerable<Dictionary<string, object?>> Mounts() => Yaml.Seq(Container["volumeMounts"], "volumeMounts").Select(m => Yaml.Map(m, "volumeMount"));
}
