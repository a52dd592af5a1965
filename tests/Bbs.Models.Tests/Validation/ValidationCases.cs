using Bbs.Models.Validation;

namespace Bbs.Models.Tests.Validation;

/// <summary>
/// Named changes to a valid message and the validation text BBS answers for each; theories run over the
/// names so every case reads as a sentence in the test list.
/// </summary>
internal sealed class ValidationCases<T>(Func<T> valid)
    where T : IValidatable
{
    private readonly Dictionary<string, (System.Action<T> Change, string? Expected)> cases = [];

    public TheoryData<string> Names => [.. cases.Keys];

    public ValidationCases<T> Add(string name, System.Action<T> change, string? expected)
    {
        cases.Add(name, (change, expected));
        return this;
    }

    public void Check(string name)
    {
        var (change, expected) = cases[name];
        var message = valid();
        change(message);

        Assert.Equal(expected, message.Validate());
    }
}

/// <summary>Valid messages to start each case from.</summary>
internal static class Valid
{
    public static Action Run(string path = "/bin/app") =>
        new() { RunAction = new RunAction { Path = path, User = "vcap" } };

    public static Action Download() =>
        new() { DownloadAction = new DownloadAction { From = "http://blobstore/droplet", To = "/home/vcap", User = "vcap" } };

    public static SecurityGroupRule TcpRule() => new()
    {
        Protocol = "tcp",
        Destinations = { "10.0.0.0/8" },
        Ports = { 80, 443 },
    };

    public static DesiredLRP DesiredLrp() => new()
    {
        ProcessGuid = "pg-1_A",
        Domain = "cf-apps",
        RootFs = "preloaded:cflinuxfs4",
        Instances = 1,
        Action = Run(),
        MemoryMb = 256,
        DiskMb = 1024,
        CpuWeight = 50,
    };

    public static TaskDefinition TaskDefinition() => new()
    {
        RootFs = "docker:///cloudfoundry/grace",
        Action = Run(),
        MemoryMb = 256,
        CpuWeight = 100,
    };

    public static ActualLRPKey LrpKey() => new() { ProcessGuid = "pg", Index = 0, Domain = "d" };

    public static ActualLRPInstanceKey InstanceKey() => new() { InstanceGuid = "ig", CellId = "cell-a" };

    public static ActualLRPNetInfo NetInfo() => new() { Address = "10.0.0.1" };
}
