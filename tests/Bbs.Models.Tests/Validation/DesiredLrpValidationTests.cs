using Google.Protobuf;

namespace Bbs.Models.Tests.Validation;

public sealed class DesiredLrpValidationTests
{
    private static readonly ValidationCases<DesiredLRP> Cases = new ValidationCases<DesiredLRP>(Valid.DesiredLrp)
        .Add("a complete desired LRP is valid", _ => { }, null)
        .Add("a docker rootfs is valid", d => d.RootFs = "docker:///cloudfoundry/grace#latest", null)
        .Add("a rootfs with a host and port is valid", d => d.RootFs = "docker://registry.example.com:5000/grace", null)
        .Add("zero instances are valid", d => d.Instances = 0, null)
        .Add("a cpu weight of 100 is valid", d => d.CpuWeight = 100, null)
        .Add("the domain is required", d => d.Domain = "", "Invalid field: domain")
        .Add("the process guid is required", d => d.ProcessGuid = "", "Invalid field: process_guid")
        .Add("a process guid may not contain a space", d => d.ProcessGuid = "pg 1", "Invalid field: process_guid")
        .Add("a process guid may not contain a dot", d => d.ProcessGuid = "pg.1", "Invalid field: process_guid")
        .Add("a process guid may not end in a newline", d => d.ProcessGuid = "pg\n", "Invalid field: process_guid")
        .Add("an empty rootfs is reported twice", d => d.RootFs = "", "Invalid field: rootfs, Invalid field: rootfs")
        .Add("a rootfs needs a scheme", d => d.RootFs = "cflinuxfs4", "Invalid field: rootfs")
        .Add("a rootfs path has no scheme", d => d.RootFs = "/var/vcap/rootfs", "Invalid field: rootfs")
        .Add("a rootfs scheme may not be empty", d => d.RootFs = ":cflinuxfs4", "Invalid field: rootfs")
        .Add("a rootfs scheme starts with a letter", d => d.RootFs = "1docker:///grace", "Invalid field: rootfs")
        .Add("a rootfs path with a bad escape does not parse", d => d.RootFs = "docker:///grace%zz", "Invalid field: rootfs")
        .Add("a rootfs with a bad port does not parse", d => d.RootFs = "docker://registry:port/grace", "Invalid field: rootfs")
        .Add("a rootfs with a control character does not parse", d => d.RootFs = "preloaded:cf\tlinux", "Invalid field: rootfs")
        .Add("an opaque rootfs is not looked into", d => d.RootFs = "preloaded:cf%zz", null)
        .Add("the action is required", d => d.Action = null, "invalid action type")
        .Add("an action with no kind set is invalid", d => d.Action = new Action(), "Invalid field: action, Invalid field: inner-action")
        .Add("an invalid action is named before its errors", d => d.Action = Valid.Run(""), "Invalid field: action, Invalid field: path")
        .Add("an invalid setup is named before its errors", d => d.Setup = new Action { DownloadAction = new DownloadAction() }, "Invalid field: setup, Invalid field: from, Invalid field: to, Invalid field: user")
        .Add("a valid setup and monitor are accepted", d => { d.Setup = Valid.Download(); d.Monitor = Valid.Run("/bin/healthcheck"); }, null)
        .Add("an invalid monitor is named before its errors", d => d.Monitor = new Action { RunAction = new RunAction { Path = "/hc" } }, "Invalid field: monitor, Invalid field: user")
        .Add("instances may not be negative", d => d.Instances = -1, "Invalid field: instances")
        .Add("the cpu weight is at most 100", d => d.CpuWeight = 101, "Invalid field: cpu_weight")
        .Add("memory may not be negative", d => d.MemoryMb = -1, "Invalid field: memory_mb")
        .Add("disk may not be negative", d => d.DiskMb = -1, "Invalid field: disk_mb")
        .Add("max pids may not be negative", d => d.MaxPids = -1, "Invalid field: max_pids")
        .Add("an annotation of 10 KiB is valid", d => d.Annotation = new string('a', 10 * 1024), null)
        .Add("an annotation over 10 KiB is invalid", d => d.Annotation = new string('a', (10 * 1024) + 1), "Invalid field: annotation")
        .Add("the annotation limit counts bytes", d => d.Annotation = new string('é', (5 * 1024) + 1), "Invalid field: annotation")
        .Add("routes of 4 KiB in total are valid", d => d.Routes = Routes(2048, 2048), null)
        .Add("routes over 4 KiB in total are invalid", d => d.Routes = Routes(2048, 2049), "Invalid field: routes")
        .Add("an environment variable needs a name", d => d.EnvironmentVariables.Add(new EnvironmentVariable { Value = "v" }), "invalid field: name cannot be blank")
        .Add("an invalid egress rule is named before its errors", d => d.EgressRules.Add(new SecurityGroupRule { Protocol = "sctp", Destinations = { "1.2.3.4" } }), "Invalid field: egress_rules, Invalid field: protocol")
        .Add("valid egress rules are accepted", d => d.EgressRules.Add(Valid.TcpRule()), null)
        .Add("a cached dependency needs from and to", d => d.CachedDependencies.Add(new CachedDependency { Name = "app" }), "Invalid field: cached_dependency, Invalid field: from, Invalid field: to")
        .Add("a cached dependency checksum needs an algorithm", d => d.CachedDependencies.Add(new CachedDependency { From = "f", To = "t", ChecksumValue = "v" }), "Invalid field: cached_dependency, Invalid field: checksum algorithm")
        .Add("a valid cached dependency is accepted", d => d.CachedDependencies.Add(new CachedDependency { From = "f", To = "t", ChecksumAlgorithm = "sha1", ChecksumValue = "v" }), null)
        .Add("metric tags that match the metrics guid are valid", d => { d.MetricsGuid = "app-guid"; d.MetricTags["source_id"] = new MetricTagValue { Static = "app-guid" }; d.MetricTags["index"] = new MetricTagValue { Dynamic = MetricTagValue.Types.DynamicValue.Index }; }, null)
        .Add("a metric tag may not be both static and dynamic", d => d.MetricTags["x"] = new MetricTagValue { Static = "s", Dynamic = MetricTagValue.Types.DynamicValue.InstanceGuid }, "Invalid field: metric_tags, Invalid field: static, Invalid field: dynamic")
        .Add("a metric tag must be static or dynamic", d => d.MetricTags["x"] = new MetricTagValue(), "Invalid field: metric_tags, Invalid field: static, Invalid field: dynamic")
        .Add("metric tags need a source id matching the metrics guid", d => { d.MetricsGuid = "app-guid"; d.MetricTags["x"] = new MetricTagValue { Static = "s" }; }, "Invalid field: metric_tags, Invalid field: source_id should match metrics_guid")
        .Add("a source id must equal the metrics guid", d => { d.MetricsGuid = "app-guid"; d.MetricTags["source_id"] = new MetricTagValue { Static = "other" }; }, "Invalid field: metric_tags, Invalid field: source_id should match metrics_guid")
        .Add("metric tags without a metrics guid need no source id", d => d.MetricTags["x"] = new MetricTagValue { Static = "s" }, null)
        .Add("an image layer needs a url and destination", d => d.ImageLayers.Add(new ImageLayer { LayerType = ImageLayer.Types.Type.Shared, MediaType = ImageLayer.Types.MediaType.Tgz }), "Invalid field: image_layer, Invalid field: url, Invalid field: destination_path")
        .Add("an exclusive image layer needs a digest and the legacy download user", d => d.ImageLayers.Add(new ImageLayer { Url = "u", DestinationPath = "/p", LayerType = ImageLayer.Types.Type.Exclusive, MediaType = ImageLayer.Types.MediaType.Tar }), "Invalid field: image_layer, Invalid field: digest_algorithm, Invalid field: digest_value, Invalid field: legacy_download_user")
        .Add("a sidecar needs an action", d => d.Sidecars.Add(new Sidecar { MemoryMb = 16 }), "Invalid field: sidecars, invalid action type")
        .Add("a sidecar's invalid action is named", d => d.Sidecars.Add(new Sidecar { Action = Valid.Run(""), DiskMb = -1 }), "Invalid field: sidecars, Invalid field: action, Invalid field: path, Invalid field: disk_mb")
        .Add("a volume mount needs a driver and a mode", d => d.VolumeMounts.Add(new VolumeMount { Mode = "x", Shared = new SharedDevice() }), "invalid volume_mount driver, invalid volume_mount mode, invalid volume_mount volume id")
        .Add("a valid volume mount is accepted", d => d.VolumeMounts.Add(new VolumeMount { Driver = "nfs", Mode = "rw", Shared = new SharedDevice { VolumeId = "v" } }), null)
        .Add("an image password needs a username", d => d.ImagePassword = "secret", "Invalid field: image_username")
        .Add("an image username needs a password", d => d.ImageUsername = "user", "Invalid field: image_password")
        .Add("a health check needs a port", d => d.CheckDefinition = new CheckDefinition { Checks = { new Check { TcpCheck = new TCPCheck() } } }, "Invalid field: check_definition, Invalid field: port")
        .Add("a check is either tcp or http", d => d.CheckDefinition = new CheckDefinition { Checks = { new Check { TcpCheck = new TCPCheck { Port = 1 }, HttpCheck = new HTTPCheck { Port = 1 } } } }, "Invalid field: check_definition, Invalid field: check")
        .Add("an empty check reads as port zero", d => d.CheckDefinition = new CheckDefinition { ReadinessChecks = { new Check() } }, "Invalid field: check_definition, Invalid field: port")
        .Add("valid checks are accepted", d => d.CheckDefinition = new CheckDefinition { Checks = { new Check { HttpCheck = new HTTPCheck { Port = 8080, Path = "/" } } } }, null)
        .Add("a log rate limit of minus one means unlimited", d => d.LogRateLimit = new LogRateLimit { BytesPerSecond = -1 }, null)
        .Add("a log rate limit below minus one is invalid", d => d.LogRateLimit = new LogRateLimit { BytesPerSecond = -2 }, "Invalid field: log_rate_limit")
        .Add("several failures are listed in order", d => { d.Domain = ""; d.Instances = -2; d.CpuWeight = 200; d.Action = null; }, "Invalid field: domain, invalid action type, Invalid field: instances, Invalid field: cpu_weight");

    private static readonly ValidationCases<DesiredLRPUpdate> UpdateCases = new ValidationCases<DesiredLRPUpdate>(() => new DesiredLRPUpdate())
        .Add("an empty update is valid", _ => { }, null)
        .Add("an update to zero instances is valid", u => u.Instances = 0, null)
        .Add("an update to negative instances is invalid", u => u.Instances = -1, "Invalid field: instances")
        .Add("an updated annotation over 10 KiB is invalid", u => u.Annotation = new string('a', 10241), "Invalid field: annotation")
        .Add("updated routes over 4 KiB are invalid", u => u.Routes = Routes(4097), "Invalid field: routes")
        .Add("updated metric tags need no source id", u => u.MetricTags["x"] = new MetricTagValue { Static = "s" }, null)
        .Add("updated metric tags must be static or dynamic", u => u.MetricTags["x"] = new MetricTagValue(), "Invalid field: metric_tags, Invalid field: static, Invalid field: dynamic")
        .Add("every bad update field is listed", u => { u.Instances = -1; u.Annotation = new string('a', 10241); }, "Invalid field: instances, Invalid field: annotation");

    public static TheoryData<string> Names => Cases.Names;

    public static TheoryData<string> UpdateNames => UpdateCases.Names;

    [Theory]
    [MemberData(nameof(Names))]
    public void DesiredLrpValidationReportsBbsFieldNames(string name) => Cases.Check(name);

    [Theory]
    [MemberData(nameof(UpdateNames))]
    public void DesiredLrpUpdateValidationChecksOnlyWhatIsSent(string name) => UpdateCases.Check(name);

    [Fact]
    public void DesiringAnLrpNeedsOne()
    {
        Assert.Equal("Invalid field: desired_lrp", new DesireLRPRequest().Validate());
        Assert.Null(new DesireLRPRequest { DesiredLrp = Valid.DesiredLrp() }.Validate());

        var invalid = Valid.DesiredLrp();
        invalid.Domain = "";
        Assert.Equal("Invalid field: domain", new DesireLRPRequest { DesiredLrp = invalid }.Validate());
    }

    [Fact]
    public void UpdatingAnLrpNeedsItsGuidAndAValidUpdate()
    {
        Assert.Null(new UpdateDesiredLRPRequest { ProcessGuid = "pg" }.Validate());
        Assert.Equal("Invalid field: process_guid", new UpdateDesiredLRPRequest().Validate());
        Assert.Equal(
            "Invalid field: process_guid, Invalid field: instances",
            new UpdateDesiredLRPRequest { Update = new DesiredLRPUpdate { Instances = -1 } }.Validate());
    }

    [Fact]
    public void RequestsByProcessGuidNeedAGuidButNotAPattern()
    {
        Assert.Equal("Invalid field: process_guid", new RemoveDesiredLRPRequest().Validate());
        Assert.Equal("Invalid field: process_guid", new DesiredLRPByProcessGuidRequest().Validate());
        Assert.Null(new RemoveDesiredLRPRequest { ProcessGuid = "any text!" }.Validate());
        Assert.Null(new DesiredLRPByProcessGuidRequest { ProcessGuid = "any text!" }.Validate());
        Assert.Null(new DesiredLRPsRequest().Validate());
    }

    [Theory]
    [InlineData(ImageLayer.Types.DigestAlgorithm.Sha256, "d", null)]
    [InlineData(ImageLayer.Types.DigestAlgorithm.Invalid, "d", "Invalid field: digest_algorithm, Invalid field: digest_algorithm")]
    [InlineData(ImageLayer.Types.DigestAlgorithm.Sha512, "", "Invalid field: digest_value")]
    [InlineData(ImageLayer.Types.DigestAlgorithm.Invalid, "", null)]
    public void ASharedImageLayerDigestComesAsAPair(ImageLayer.Types.DigestAlgorithm algorithm, string value, string? expected)
    {
        var layer = new ImageLayer
        {
            Url = "u",
            DestinationPath = "/p",
            LayerType = ImageLayer.Types.Type.Shared,
            MediaType = ImageLayer.Types.MediaType.Zip,
            DigestAlgorithm = algorithm,
            DigestValue = value,
        };

        Assert.Equal(expected, layer.Validate());
    }

    private static ProtoRoutes Routes(params int[] sizes)
    {
        var routes = new ProtoRoutes();
        for (var i = 0; i < sizes.Length; i++)
        {
            routes.Routes[$"router-{i}"] = ByteString.CopyFromUtf8(new string('r', sizes[i]));
        }

        return routes;
    }
}
