namespace Bbs.Client;

/// <summary>
/// Which actual LRPs to list (the Go client's <c>ActualLRPFilter</c>). Empty or null fields do not filter.
/// The deprecated group routes honour only <see cref="Domain"/> and <see cref="CellId"/>, as in Go.
/// </summary>
public sealed record ActualLrpFilter(string? Domain = null, string? CellId = null, string? ProcessGuid = null, int? Index = null);

/// <summary>Which desired LRPs to list (the Go client's <c>DesiredLRPFilter</c>). Empty or null fields do not filter.</summary>
public sealed record DesiredLrpFilter(string? Domain = null, IReadOnlyList<string>? ProcessGuids = null, IReadOnlyList<string>? AppGuids = null);

/// <summary>Which tasks to list (the Go client's <c>TaskFilter</c>). Empty or null fields do not filter.</summary>
public sealed record TaskFilter(string? Domain = null, string? CellId = null);
