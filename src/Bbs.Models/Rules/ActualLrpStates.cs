namespace Bbs.Models.Rules;

/// <summary>The values of <see cref="ActualLRP.State"/>, a string on the wire in every BBS era.</summary>
public static class ActualLrpStates
{
    public const string Unclaimed = "UNCLAIMED";
    public const string Claimed = "CLAIMED";
    public const string Running = "RUNNING";
    public const string Crashed = "CRASHED";

    public static IReadOnlyList<string> All { get; } = [Unclaimed, Claimed, Running, Crashed];
}
