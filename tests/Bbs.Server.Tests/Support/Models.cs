using Bbs.Client;
using Bbs.Models;

namespace Bbs.Server.Tests.Support;

/// <summary>Valid models and keys for tests; every call makes fresh guids.</summary>
public static class Models
{
    public const string Domain = "test-domain";

    public static string NewGuid(string prefix = "pg") => $"{prefix}-{Guid.NewGuid():N}";

    public static DesiredLRP DesiredLrp(string processGuid, int instances, string domain = Domain)
    {
        var lrp = new DesiredLRP
        {
            ProcessGuid = processGuid,
            Domain = domain,
            RootFs = "preloaded:cflinuxfs4",
            Instances = instances,
            MemoryMb = 256,
            DiskMb = 1024,
            LogGuid = "log-" + processGuid,
            Action = new Bbs.Models.Action { RunAction = new RunAction { Path = "/bin/app", User = "vcap" } },
            Routes = new ProtoRoutes(),
        };
        lrp.Ports.Add(8080);
        lrp.Routes.Routes["cf-router"] = Google.Protobuf.ByteString.CopyFromUtf8("[{\"hostnames\":[\"app.example.com\"],\"port\":8080}]");
        return lrp;
    }

    public static ActualLRPKey Key(string processGuid, int index, string domain = Domain) => new() { ProcessGuid = processGuid, Index = index, Domain = domain };

    public static ActualLRPInstanceKey InstanceKey(string cellId, string? instanceGuid = null) =>
        new() { CellId = cellId, InstanceGuid = instanceGuid ?? "ig-" + Guid.NewGuid().ToString("N") };

    public static ActualLRPNetInfo NetInfo(string address = "10.0.0.1", uint hostPort = 61000)
    {
        var net = new ActualLRPNetInfo { Address = address, InstanceAddress = "192.168.0.2" };
        net.Ports.Add(new PortMapping { ContainerPort = 8080, HostPort = hostPort });
        return net;
    }

    public static async Task<ActualLRP> InstanceAsync(this BbsClient client, string processGuid, int index) =>
        (await client.ActualLrpGroupByProcessGuidAndIndexAsync(processGuid, index)).Instance;

    public static async Task<BbsException> ThrowsBbsAsync(Func<Task> call, Error.Types.Type type)
    {
        var ex = await Assert.ThrowsAsync<BbsException>(call);
        Assert.Equal(type, ex.Type);
        return ex;
    }
}
