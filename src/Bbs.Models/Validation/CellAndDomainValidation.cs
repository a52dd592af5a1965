using Bbs.Models.Validation;

namespace Bbs.Models;

// BBS models/domains.go and cell_presence.go; UpsertCellRequest is this project's extension.

public sealed partial class UpsertDomainRequest : IValidatable
{
    /// <summary>A ttl of 0 is valid: the domain never expires.</summary>
    public string? Validate() => Domain.Length == 0 ? "Invalid field: domain" : null;
}

public sealed partial class CellCapacity : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors()
    {
        var errors = new ValidationErrors();
        if (MemoryMb <= 0)
        {
            errors.InvalidField("memory_mb");
        }

        if (DiskMb < 0)
        {
            errors.InvalidField("disk_mb");
        }

        if (Containers <= 0)
        {
            errors.InvalidField("containers");
        }

        return errors;
    }
}

public sealed partial class CellPresence : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    // Reps always send a capacity; a presence written by something else may leave it out.
    internal ValidationErrors CollectErrors()
    {
        var errors = new ValidationErrors();
        if (CellId.Length == 0)
        {
            errors.InvalidField("cell_id");
        }

        if (RepAddress.Length == 0)
        {
            errors.InvalidField("rep_address");
        }

        if (Capacity is not null)
        {
            errors.AddAll(Capacity.CollectErrors());
        }

        return errors;
    }
}

public sealed partial class UpsertCellRequest : IValidatable
{
    public string? Validate()
    {
        var errors = CellPresence is null
            ? new ValidationErrors().InvalidField("cell_presence")
            : CellPresence.CollectErrors();
        if (Ttl == 0)
        {
            errors.InvalidField("ttl");
        }

        return errors.ToText();
    }
}
