using System.Text;

namespace Bbs.Models.Validation;

/// <summary>
/// BBS's <c>ValidationError</c>: an ordered list of messages that flattens when one list is appended to
/// another, rendered as a comma+space joined text.
/// </summary>
internal sealed class ValidationErrors
{
    private List<string>? messages;

    public bool IsEmpty => messages is null || messages.Count == 0;

    public ValidationErrors Add(string message)
    {
        (messages ??= []).Add(message);
        return this;
    }

    /// <summary>BBS's <c>ErrInvalidField{field}</c>.</summary>
    public ValidationErrors InvalidField(string field) => Add("Invalid field: " + field);

    public ValidationErrors AddAll(ValidationErrors other)
    {
        if (!other.IsEmpty)
        {
            (messages ??= []).AddRange(other.messages!);
        }

        return this;
    }

    /// <summary>
    /// BBS's "Invalid field: X" followed by the nested errors, written only when there are nested errors
    /// (the shape BBS uses for setup, action, monitor, egress rules and the like).
    /// </summary>
    public ValidationErrors InvalidFieldWith(string field, ValidationErrors nested) =>
        nested.IsEmpty ? this : InvalidField(field).AddAll(nested);

    public string? ToText() => IsEmpty ? null : string.Join(", ", messages!);
}

/// <summary>Shared limits and field checks of BBS's models package.</summary>
internal static class ValidationRules
{
    /// <summary><c>maximumAnnotationLength</c>: 10 KiB, counted in bytes as Go's <c>len</c> does.</summary>
    public const int MaxAnnotationBytes = 10 * 1024;

    /// <summary><c>maximumRouteLength</c> as in E16: 4 KiB over all route values.</summary>
    public const int MaxRoutesBytes = 4 * 1024;

    /// <summary>BBS's "invalid action type" (ErrInvalidActionType), written without the field prefix.</summary>
    public const string InvalidActionType = "invalid action type";

    /// <summary><c>^[a-zA-Z0-9_-]+$</c>, the pattern of process and task guids.</summary>
    public static bool IsGuid(string value)
    {
        if (value.Length == 0)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-'))
            {
                return false;
            }
        }

        return true;
    }

    public static bool AnnotationTooLong(string annotation) =>
        Encoding.UTF8.GetByteCount(annotation) > MaxAnnotationBytes;

    public static bool RoutesTooLong(ProtoRoutes? routes)
    {
        if (routes is null)
        {
            return false;
        }

        var total = 0;
        foreach (var value in routes.Routes.Values)
        {
            total += value.Length;
            if (total > MaxRoutesBytes)
            {
                return true;
            }
        }

        return false;
    }
}
