using Bbs.Models.Validation;

namespace Bbs.Models.Tests.Validation;

public sealed class ActualLrpRequestValidationTests
{
    private const string Key = "Invalid field: actual_lrp_key";
    private const string InstanceKey = "Invalid field: actual_lrp_instance_key";
    private const string NetInfo = "Invalid field: actual_lrp_net_info";
    private const string KeyFields = "Invalid field: process_guid, Invalid field: index, Invalid field: domain";
    private const string InstanceKeyFields = "Invalid field: cell_id, Invalid field: instance_guid";

    // Each request as sent, and the validation text BBS answers for it.
    private static readonly Dictionary<string, (Func<IValidatable> Build, string? Expected)> Cases = new()
    {
        ["a claim names the lrp and the claiming instance"] = (() => Claim(), null),
        ["a claim does not check the index"] = (() => Claim(c => c.Index = -1), null),
        ["a claim needs a process guid"] = (() => Claim(c => c.ProcessGuid = ""), "Invalid field: process_guid"),
        ["a claim needs an instance key"] = (() => Claim(c => c.ActualLrpInstanceKey = null), InstanceKey),
        ["a claim's instance key needs cell and guid"] = (() => Claim(c => c.ActualLrpInstanceKey = new ActualLRPInstanceKey()), InstanceKeyFields),
        ["a claim lists every failure"] = (() => new ClaimActualLRPRequest(), "Invalid field: process_guid, " + InstanceKey),

        ["a start names key, instance and address"] = (() => Start(), null),
        ["a start needs a key"] = (() => Start(s => s.ActualLrpKey = null), Key),
        ["a start's key needs guid, index and domain"] = (() => Start(s => s.ActualLrpKey = new ActualLRPKey { Index = -1 }), KeyFields),
        ["a start needs an instance key"] = (() => Start(s => s.ActualLrpInstanceKey = null), InstanceKey),
        ["a start's instance key needs a cell"] = (() => Start(s => s.ActualLrpInstanceKey.CellId = ""), "Invalid field: cell_id"),
        ["a start needs net info"] = (() => Start(s => s.ActualLrpNetInfo = null), NetInfo),
        ["a start's net info needs an address"] = (() => Start(s => s.ActualLrpNetInfo = new ActualLRPNetInfo()), "Invalid field: address"),
        ["an empty start lists all three"] = (() => new StartActualLRPRequest(), $"{Key}, {InstanceKey}, {NetInfo}"),

        ["a crash needs no reason"] = (() => new CrashActualLRPRequest { ActualLrpKey = Valid.LrpKey(), ActualLrpInstanceKey = Valid.InstanceKey() }, null),
        ["a crash needs key and instance key"] = (() => new CrashActualLRPRequest { ErrorMessage = "boom" }, $"{Key}, {InstanceKey}"),

        ["a fail names the lrp and the placement error"] = (() => new FailActualLRPRequest { ActualLrpKey = Valid.LrpKey(), ErrorMessage = "no room" }, null),
        ["a fail needs an error message"] = (() => new FailActualLRPRequest { ActualLrpKey = Valid.LrpKey() }, "Invalid field: error_message"),
        ["a fail needs a key"] = (() => new FailActualLRPRequest { ErrorMessage = "no room" }, Key),

        ["a retire names the lrp"] = (() => new RetireActualLRPRequest { ActualLrpKey = Valid.LrpKey() }, null),
        ["a retire needs a key"] = (() => new RetireActualLRPRequest(), Key),
        ["a retire's key is checked"] = (() => new RetireActualLRPRequest { ActualLrpKey = new ActualLRPKey { ProcessGuid = "pg", Index = 0 } }, "Invalid field: domain"),

        ["a remove names guid and index"] = (() => new RemoveActualLRPRequest { ProcessGuid = "pg", Index = 0 }, null),
        ["a remove may name the instance"] = (() => new RemoveActualLRPRequest { ProcessGuid = "pg", ActualLrpInstanceKey = Valid.InstanceKey() }, null),
        ["a remove needs guid and a non-negative index"] = (() => new RemoveActualLRPRequest { Index = -1 }, "Invalid field: process_guid, Invalid field: index"),

        ["a group by guid and index is valid"] = (() => new ActualLRPGroupByProcessGuidAndIndexRequest { ProcessGuid = "pg", Index = 3 }, null),
        ["a group by guid and index needs both"] = (() => new ActualLRPGroupByProcessGuidAndIndexRequest { Index = -1 }, "Invalid field: process_guid, Invalid field: index"),
        ["groups by guid need a guid"] = (() => new ActualLRPGroupsByProcessGuidRequest(), "Invalid field: process_guid"),
        ["lrps by guids need at least one guid"] = (() => new ActualLRPsByProcessGuidsRequest(), "Invalid field: process_guids"),
        ["lrps by guids with a guid are valid"] = (() => new ActualLRPsByProcessGuidsRequest { ProcessGuids = { "pg" } }, null),
        ["group listing filters are optional"] = (() => new ActualLRPGroupsRequest(), null),
        ["lrp listing filters are optional"] = (() => new ActualLRPsRequest(), null),

        ["evacuate claimed names key and instance"] = (() => new EvacuateClaimedActualLRPRequest { ActualLrpKey = Valid.LrpKey(), ActualLrpInstanceKey = Valid.InstanceKey() }, null),
        ["evacuate claimed needs both keys"] = (() => new EvacuateClaimedActualLRPRequest(), $"{Key}, {InstanceKey}"),
        ["evacuate running names key, instance and address"] = (() => new EvacuateRunningActualLRPRequest { ActualLrpKey = Valid.LrpKey(), ActualLrpInstanceKey = Valid.InstanceKey(), ActualLrpNetInfo = Valid.NetInfo() }, null),
        ["evacuate running needs net info"] = (() => new EvacuateRunningActualLRPRequest { ActualLrpKey = Valid.LrpKey(), ActualLrpInstanceKey = Valid.InstanceKey() }, NetInfo),
        ["evacuate running needs all three"] = (() => new EvacuateRunningActualLRPRequest { Ttl = 60 }, $"{Key}, {InstanceKey}, {NetInfo}"),
        ["evacuate stopped needs both keys"] = (() => new EvacuateStoppedActualLRPRequest { ActualLrpKey = new ActualLRPKey() }, $"Invalid field: process_guid, Invalid field: domain, {InstanceKey}"),
        ["evacuate crashed needs an error message"] = (() => new EvacuateCrashedActualLRPRequest { ActualLrpKey = Valid.LrpKey(), ActualLrpInstanceKey = Valid.InstanceKey() }, "Invalid field: error_message"),
        ["evacuate crashed lists every failure"] = (() => new EvacuateCrashedActualLRPRequest(), $"{Key}, {InstanceKey}, Invalid field: error_message"),
        ["remove evacuating names key and instance"] = (() => new RemoveEvacuatingActualLRPRequest { ActualLrpKey = Valid.LrpKey(), ActualLrpInstanceKey = Valid.InstanceKey() }, null),
        ["remove evacuating needs both keys"] = (() => new RemoveEvacuatingActualLRPRequest { ActualLrpInstanceKey = new ActualLRPInstanceKey { CellId = "c" } }, $"{Key}, Invalid field: instance_guid"),
    };

    public static TheoryData<string> Names => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void ActualLrpRequestsNameTheMissingField(string name)
    {
        var (build, expected) = Cases[name];

        Assert.Equal(expected, build().Validate());
    }

    private static ClaimActualLRPRequest Claim(System.Action<ClaimActualLRPRequest>? change = null)
    {
        var request = new ClaimActualLRPRequest { ProcessGuid = "pg", Index = 0, ActualLrpInstanceKey = Valid.InstanceKey() };
        change?.Invoke(request);
        return request;
    }

    private static StartActualLRPRequest Start(System.Action<StartActualLRPRequest>? change = null)
    {
        var request = new StartActualLRPRequest
        {
            ActualLrpKey = Valid.LrpKey(),
            ActualLrpInstanceKey = Valid.InstanceKey(),
            ActualLrpNetInfo = Valid.NetInfo(),
        };
        change?.Invoke(request);
        return request;
    }
}
