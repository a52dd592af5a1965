using Bbs.Models.Rules;

namespace Bbs.Models.Tests.Validation;

// A stored record must agree with its state (BBS's ActualLRP.Validate).
public sealed class ActualLrpRecordValidationTests
{
    private static readonly ValidationCases<ActualLRP> Cases = new ValidationCases<ActualLRP>(Record)
        .Add("an unclaimed record is valid", _ => { }, null)
        .Add("a record needs since", l => l.Since = 0, "Invalid field: since")
        .Add("a record needs a key", l => l.ActualLrpKey = null, "Invalid field: actual_lrp_key")
        .Add("a record in an unknown state is invalid", l => l.State = "STOPPED", "Invalid field: state")
        .Add("an unclaimed record has no instance key", l => l.ActualLrpInstanceKey = Valid.InstanceKey(), "instance key cannot be set when state is unclaimed")
        .Add("an unclaimed record has no net info", l => l.ActualLrpNetInfo = Valid.NetInfo(), "net info cannot be set when state is unclaimed")
        .Add("an unclaimed record is ordinary", l => l.Presence = ActualLRP.Types.Presence.Evacuating, "presence cannot be set when state is unclaimed")
        .Add("a claimed record has an instance key", l => l.State = ActualLrpStates.Claimed, "Invalid field: cell_id, Invalid field: instance_guid")
        .Add("a claimed record has no placement error", l => { Claimed(l); l.PlacementError = "x"; }, "placement error cannot be set when state is claimed")
        .Add("a claimed record has no net info", l => { Claimed(l); l.ActualLrpNetInfo = Valid.NetInfo(); }, "net info cannot be set when state is claimed")
        .Add("a running record has an instance key and an address", l => { Claimed(l); l.State = ActualLrpStates.Running; l.ActualLrpNetInfo = Valid.NetInfo(); }, null)
        .Add("a running record needs an address", l => { Claimed(l); l.State = ActualLrpStates.Running; }, "Invalid field: address")
        .Add("a running record has no placement error", l => { Claimed(l); l.State = ActualLrpStates.Running; l.ActualLrpNetInfo = Valid.NetInfo(); l.PlacementError = "x"; }, "placement error cannot be set when state is running")
        .Add("a crashed record is valid without an instance", l => l.State = ActualLrpStates.Crashed, null)
        .Add("a crashed record has no instance key", l => { l.State = ActualLrpStates.Crashed; l.ActualLrpInstanceKey = Valid.InstanceKey(); }, "instance key cannot be set when state is crashed")
        .Add("a crashed record has no placement error", l => { l.State = ActualLrpStates.Crashed; l.PlacementError = "x"; }, "placement error cannot be set when state is crashed");

    public static TheoryData<string> Names => Cases.Names;

    [Theory]
    [MemberData(nameof(Names))]
    public void AStoredRecordMustAgreeWithItsState(string name) => Cases.Check(name);

    private static ActualLRP Record() => new()
    {
        ActualLrpKey = Valid.LrpKey(),
        ActualLrpInstanceKey = new ActualLRPInstanceKey(),
        ActualLrpNetInfo = new ActualLRPNetInfo(),
        State = ActualLrpStates.Unclaimed,
        Since = 1,
    };

    private static void Claimed(ActualLRP lrp)
    {
        lrp.State = ActualLrpStates.Claimed;
        lrp.ActualLrpInstanceKey = Valid.InstanceKey();
    }
}
