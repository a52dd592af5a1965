using System.Text;
using static Bbs.Peers.Tests.TestSupport;

namespace Bbs.Peers.Tests;

/// <summary>The start requests' wire shape, as the auctioneer's LRPStartRequest and the rep's scheduling task read it.</summary>
public sealed class StartRequestTests
{
    public const string Pg1Index0 =
        """{"process_guid":"pg-1","domain":"cf-apps","indices":[0],"placement_tags":["tag-a"],"volume_drivers":["nfs"],"rootfs":"preloaded:cflinuxfs4","memory_mb":256,"disk_mb":1024,"max_pids":100}""";

    public const string Pg1Index1And2 =
        """{"process_guid":"pg-1","domain":"cf-apps","indices":[1,2],"placement_tags":["tag-a"],"volume_drivers":["nfs"],"rootfs":"preloaded:cflinuxfs4","memory_mb":256,"disk_mb":1024,"max_pids":100}""";

    public const string Pg2Index3 =
        """{"process_guid":"pg-2","domain":"cf-apps","indices":[3],"placement_tags":[],"volume_drivers":["smb"],"rootfs":"docker:///busybox","memory_mb":128,"disk_mb":512,"max_pids":0}""";

    public const string Task1 =
        """{"TaskGuid":"task-1","Domain":"cf-tasks","placement_tags":["isolated"],"volume_drivers":["nfs"],"rootfs":"preloaded:cflinuxfs4","memory_mb":512,"disk_mb":2048,"max_pids":50,"state":"Invalid","failed":false}""";

    [Fact]
    public void AnLrpStartRequestFromSchedulingInfoCarriesItsKeyResourcesAndPlacement()
    {
        var request = LrpStartRequest.From(SchedulingInfo(), 1, 2);

        Assert.Equal("[" + Pg1Index1And2 + "]", Json(PeerJsonContext.Serialize([request])));
    }

    [Fact]
    public void AnLrpStartRequestFromADesiredLrpTakesItsVolumeDriversFromTheVolumeMounts()
    {
        var request = LrpStartRequest.From(DesiredLrp(), 3);

        Assert.Equal(["smb"], request.VolumeDrivers);
        Assert.Equal("[" + Pg2Index3 + "]", Json(PeerJsonContext.Serialize([request])));
    }

    [Fact]
    public void ATaskStartRequestCarriesTheTaskDefinitionsResourcesUnderGoFieldNames()
    {
        var request = TaskStartRequest.From(PendingTask());

        Assert.Equal("[" + Task1 + "]", Json(PeerJsonContext.Serialize([request])));
    }

    [Fact]
    public void ATaskWithoutADefinitionStillGivesAStartRequest()
    {
        var request = TaskStartRequest.From(new Bbs.Models.Task { TaskGuid = "t", Domain = "d" });

        Assert.Equal(("t", "d", "", 0), (request.TaskGuid, request.Domain, request.RootFs, request.MemoryMb));
        Assert.Empty(request.PlacementTags);
    }

    [Fact]
    public void IndicesAreCopiedSoTheCallersArrayCanBeReused()
    {
        int[] indices = [0, 1];
        var request = LrpStartRequest.From(SchedulingInfo(), indices);
        indices[0] = 9;

        Assert.Equal([0, 1], request.Indices);
    }

    private static string Json(byte[] utf8) => Encoding.UTF8.GetString(utf8);
}
