using Bbs.Bench.Measure;
using Bbs.Client;
using Bbs.Models;
using Google.Protobuf;

namespace Bbs.Bench.Lrps;

/// <summary>Valid desired LRPs and the keys cells use for their instances, as a CF app would have them.</summary>
public static class LrpFixtures
{
    public static DesiredLRP DesiredLrp(string processGuid, string domain, int instances)
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
        lrp.Routes.Routes["cf-router"] = ByteString.CopyFromUtf8($"[{{\"hostnames\":[\"{processGuid}.example.com\"],\"port\":8080}}]");
        return lrp;
    }

    /// <summary>Desires every guid with <paramref name="instances"/> instances, <paramref name="parallel"/> requests at a time.</summary>
    public static Task<LoadResult> DesireAllAsync(BbsClient client, IReadOnlyList<string> processGuids, string domain, int instances, int parallel, CancellationToken cancellationToken) =>
        LoadRunner.ForCountAsync(
            Math.Min(parallel, processGuids.Count),
            processGuids.Count,
            (_, i, ct) => client.DesireLrpAsync(DesiredLrp(processGuids[(int)i], domain, instances), cancellationToken: ct),
            cancellationToken);

    public static ActualLRPKey Key(string processGuid, int index, string domain) => new() { ProcessGuid = processGuid, Index = index, Domain = domain };

    public static ActualLRPNetInfo NetInfo(int cell, int index)
    {
        var net = new ActualLRPNetInfo { Address = $"10.0.{cell / 256}.{cell % 256}", InstanceAddress = $"192.168.{index / 256 % 256}.{index % 256}" };
        net.Ports.Add(new PortMapping { ContainerPort = 8080, HostPort = (uint)(61000 + (index % 4000)) });
        return net;
    }
}
