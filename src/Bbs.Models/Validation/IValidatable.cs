namespace Bbs.Models.Validation;

/// <summary>
/// A request or model with BBS's validation rules. The server's body binder calls it after decoding, and
/// answers <c>InvalidRequest</c> with the returned text when it is not null.
/// </summary>
public interface IValidatable
{
    /// <summary>
    /// Null when valid; otherwise BBS's validation text, a comma+space joined list such as
    /// <c>Invalid field: process_guid, Invalid field: index</c>.
    /// </summary>
    string? Validate();
}
