using System.Globalization;

namespace Bbs.Db;

/// <summary>The etcd-era key layout (decisions.md, "Storage"). Every BBS record lives under /v1/.</summary>
public static class Keys
{
    public const string Root = "/v1/";
    public const string DomainPrefix = "/v1/domain/";
    public const string SchedulingInfoPrefix = "/v1/desired_lrp/schedule/";
    public const string RunInfoPrefix = "/v1/desired_lrp/run/";
    public const string DesiredLrpPrefix = "/v1/desired_lrp/";
    public const string ActualPrefix = "/v1/actual/";
    public const string TaskPrefix = "/v1/task/";
    public const string CellPrefix = "/v1/cell/";
    public const string InstanceSlot = "instance";
    public const string EvacuatingSlot = "evacuating";

    public static string Domain(string domain) => DomainPrefix + domain;

    public static string SchedulingInfo(string processGuid) => SchedulingInfoPrefix + processGuid;

    public static string RunInfo(string processGuid) => RunInfoPrefix + processGuid;

    /// <summary>All actual records of one process guid: <c>/v1/actual/&lt;guid&gt;/</c>.</summary>
    public static string ActualsOf(string processGuid) => ActualPrefix + processGuid + "/";

    public static string ActualInstance(string processGuid, int index) => ActualsOf(processGuid) + index.ToString(CultureInfo.InvariantCulture) + "/" + InstanceSlot;

    public static string ActualEvacuating(string processGuid, int index) => ActualsOf(processGuid) + index.ToString(CultureInfo.InvariantCulture) + "/" + EvacuatingSlot;

    public static string Task(string taskGuid) => TaskPrefix + taskGuid;

    public static string Cell(string cellId) => CellPrefix + cellId;

    /// <summary>Splits <c>/v1/actual/&lt;guid&gt;/&lt;index&gt;/&lt;slot&gt;</c>; false for any other key.</summary>
    public static bool TryParseActual(string key, out string processGuid, out int index, out bool evacuating)
    {
        processGuid = string.Empty;
        index = -1;
        evacuating = false;
        if (!key.StartsWith(ActualPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = key.AsSpan(ActualPrefix.Length);
        var slotStart = parts.LastIndexOf('/');
        if (slotStart <= 0)
        {
            return false;
        }

        var slot = parts[(slotStart + 1)..];
        var rest = parts[..slotStart];
        var indexStart = rest.LastIndexOf('/');
        if (indexStart <= 0 || !int.TryParse(rest[(indexStart + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out index))
        {
            return false;
        }

        if (slot.SequenceEqual(EvacuatingSlot))
        {
            evacuating = true;
        }
        else if (!slot.SequenceEqual(InstanceSlot))
        {
            return false;
        }

        processGuid = rest[..indexStart].ToString();
        return true;
    }
}
