using Bbs.Models;
using Google.Protobuf;

namespace Bbs.Faults.Workload;

/// <summary>
/// Rounds on a fresh process guid with two instances, as cells and the auctioneer would drive them: desire; claim
/// and start both on one cell; crash instance 1 and bring it back on a second cell; evacuate instance 0 (running)
/// from the first cell, start it on the second, remove the evacuating record; retire instance 1; and every other
/// round remove the desired LRP.
/// </summary>
public sealed class LrpWriter(int id, IReadOnlyList<Uri> servers, RequestLog log, Journal journal, FaultOptions options, string runId)
    : Writer(id, servers, log, journal, options)
{
    public const string Domain = "faults";
    private const int Instances = 2;

    protected override async Task RoundAsync(int round, CancellationToken stop)
    {
        string guid = $"{runId}-lrp{Id}-{round}";
        string cellA = CellHeartbeat.CellId(Id + round);
        string cellB = CellHeartbeat.CellId(Id + round + 1);
        var keys = Enumerable.Range(0, Instances).Select(i => new ActualLRPKey { ProcessGuid = guid, Index = i, Domain = Domain }).ToArray();

        Effect[] desired = [new(DesiredEntity(guid), s => Checks.DesiredPresent(s, guid, Instances)),
            .. Enumerable.Range(0, Instances).Select(i => new Effect(InstanceEntity(guid, i), s => Checks.Instance(s, guid, i, "UNCLAIMED")))];
        if (!await WriteAsync("DesireLRP", desired, c => c.DesireLrpAsync(DesiredLrp(guid)), stop).ConfigureAwait(false))
        {
            return;
        }

        var first = new ActualLRPInstanceKey[Instances];
        for (int i = 0; i < Instances; i++)
        {
            first[i] = InstanceKey(cellA);
            if (!await ClaimAndStartAsync(keys[i], first[i], stop).ConfigureAwait(false))
            {
                return;
            }
        }

        // Instance 1 crashes (crash count 0: restarted at once, i.e. UNCLAIMED) and starts again on cell B.
        int crashed = 1;
        Effect crash = new(InstanceEntity(guid, crashed), s => Checks.Instance(s, guid, crashed, "UNCLAIMED", minCrashCount: 1, alsoAllowed: "CRASHED"));
        if (!await WriteAsync("CrashActualLRP", [crash], c => c.CrashActualLrpAsync(keys[crashed], first[crashed], "fault harness crash"), stop).ConfigureAwait(false)
            || !await ClaimAndStartAsync(keys[crashed], InstanceKey(cellB), stop).ConfigureAwait(false))
        {
            return;
        }

        // Cell A evacuates instance 0: an evacuating copy stays while a replacement starts on cell B.
        int moved = 0;
        var evacuated = first[moved];
        Effect[] evacuate = [new(EvacuatingEntity(guid, moved), s => Checks.Evacuating(s, guid, moved, evacuated)),
            new(InstanceEntity(guid, moved), s => Checks.Instance(s, guid, moved, "UNCLAIMED"))];
        if (!await WriteAsync("EvacuateRunningActualLRP", evacuate, c => c.EvacuateRunningActualLrpAsync(keys[moved], evacuated, NetInfo(evacuated), TimeSpan.FromMinutes(30)), stop).ConfigureAwait(false)
            || !await ClaimAndStartAsync(keys[moved], InstanceKey(cellB), stop).ConfigureAwait(false)
            || !await WriteAsync("RemoveEvacuatingActualLRP", [new(EvacuatingEntity(guid, moved), s => Checks.NoEvacuating(s, guid, moved))],
                c => c.RemoveEvacuatingActualLrpAsync(keys[moved], evacuated), stop).ConfigureAwait(false))
        {
            return;
        }

        // Retiring removes the record; the leader's convergence may recreate it as UNCLAIMED.
        int retired = 1;
        if (!await WriteAsync("RetireActualLRP", [new(InstanceEntity(guid, retired), s => Checks.InstanceRetired(s, guid, retired))],
            c => c.RetireActualLrpAsync(keys[retired]), stop).ConfigureAwait(false))
        {
            return;
        }

        if (round % 2 == 0)
        {
            Effect[] removed = [new(DesiredEntity(guid), s => Checks.DesiredAbsent(s, guid)),
                .. Enumerable.Range(0, Instances).Select(i => new Effect(InstanceEntity(guid, i), s => Checks.InstanceAbsent(s, guid, i)))];
            await WriteAsync("RemoveDesiredLRP", removed, c => c.RemoveDesiredLrpAsync(guid), stop).ConfigureAwait(false);
        }
    }

    public static DesiredLRP DesiredLrp(string guid)
    {
        var lrp = new DesiredLRP
        {
            ProcessGuid = guid,
            Domain = Domain,
            RootFs = "preloaded:cflinuxfs4",
            Instances = Instances,
            MemoryMb = 64,
            DiskMb = 64,
            LogGuid = "log-" + guid,
            Action = new Models.Action { RunAction = new RunAction { Path = "/bin/app", User = "vcap" } },
            Routes = new ProtoRoutes(),
        };
        lrp.Ports.Add(8080);
        lrp.Routes.Routes["cf-router"] = ByteString.CopyFromUtf8($"[{{\"hostnames\":[\"{guid}.example.com\"],\"port\":8080}}]");
        return lrp;
    }

    public static string DesiredEntity(string guid) => $"desired/{guid}";

    public static string InstanceEntity(string guid, int index) => $"instance/{guid}/{index}";

    public static string EvacuatingEntity(string guid, int index) => $"evacuating/{guid}/{index}";

    private async Task<bool> ClaimAndStartAsync(ActualLRPKey key, ActualLRPInstanceKey instance, CancellationToken stop)
    {
        string guid = key.ProcessGuid;
        int index = key.Index;
        string entity = InstanceEntity(guid, index);
        var net = NetInfo(instance);
        return await WriteAsync("ClaimActualLRP", [new(entity, s => Checks.Instance(s, guid, index, "CLAIMED", instance))],
                c => c.ClaimActualLrpAsync(guid, index, instance), stop).ConfigureAwait(false)
            && await WriteAsync("StartActualLRP", [new(entity, s => Checks.Instance(s, guid, index, "RUNNING", instance, net.Address))],
                c => c.StartActualLrpAsync(key, instance, net), stop).ConfigureAwait(false);
    }

    private static ActualLRPInstanceKey InstanceKey(string cellId) => new() { CellId = cellId, InstanceGuid = Guid.NewGuid().ToString("N")[..12] };

    private static ActualLRPNetInfo NetInfo(ActualLRPInstanceKey instance)
    {
        var net = new ActualLRPNetInfo { Address = $"10.0.0.{instance.CellId.Length}-{instance.InstanceGuid}", InstanceAddress = "192.168.0.1" };
        net.Ports.Add(new PortMapping { ContainerPort = 8080, HostPort = 61000 });
        return net;
    }
}
