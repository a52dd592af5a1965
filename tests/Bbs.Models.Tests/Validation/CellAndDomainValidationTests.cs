namespace Bbs.Models.Tests.Validation;

public sealed class CellAndDomainValidationTests
{
    private static readonly ValidationCases<UpsertCellRequest> CellCases = new ValidationCases<UpsertCellRequest>(Upsert)
        .Add("a presence with id, rep address and capacity is valid", _ => { }, null)
        .Add("a presence without capacity is valid", u => u.CellPresence.Capacity = null, null)
        .Add("an upsert needs a presence", u => u.CellPresence = null, "Invalid field: cell_presence")
        .Add("an upsert needs a ttl", u => u.Ttl = 0, "Invalid field: ttl")
        .Add("a presence needs a cell id", u => u.CellPresence.CellId = "", "Invalid field: cell_id")
        .Add("a presence needs a rep address", u => u.CellPresence.RepAddress = "", "Invalid field: rep_address")
        .Add("a capacity needs memory and containers", u => u.CellPresence.Capacity = new CellCapacity(), "Invalid field: memory_mb, Invalid field: containers")
        .Add("a capacity may not have negative disk", u => u.CellPresence.Capacity.DiskMb = -1, "Invalid field: disk_mb")
        .Add("every upsert failure is listed", u => { u.CellPresence = new CellPresence(); u.Ttl = 0; }, "Invalid field: cell_id, Invalid field: rep_address, Invalid field: ttl")
        .Add("a missing presence and ttl are both listed", u => { u.CellPresence = null; u.Ttl = 0; }, "Invalid field: cell_presence, Invalid field: ttl");

    public static TheoryData<string> CellNames => CellCases.Names;

    [Theory]
    [MemberData(nameof(CellNames))]
    public void CellUpsertsNeedAnAddressableCellAndATtl(string name) => CellCases.Check(name);

    [Theory]
    [InlineData("cf-apps", 0u, null)]
    [InlineData("cf-apps", 120u, null)]
    [InlineData("", 120u, "Invalid field: domain")]
    public void ADomainUpsertNeedsOnlyTheDomain(string domain, uint ttl, string? expected) =>
        Assert.Equal(expected, new UpsertDomainRequest { Domain = domain, Ttl = ttl }.Validate());

    private static UpsertCellRequest Upsert() => new()
    {
        CellPresence = new CellPresence
        {
            CellId = "cell-a",
            RepAddress = "http://10.0.0.5:1800",
            Zone = "z1",
            Capacity = new CellCapacity { MemoryMb = 4096, DiskMb = 8192, Containers = 256 },
        },
        Ttl = 30,
    };
}
