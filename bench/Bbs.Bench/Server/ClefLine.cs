using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bbs.Bench.Server;

/// <summary>
/// Reads the server's log lines, Serilog's compact JSON (CLEF): <c>@mt</c> the template, <c>@l</c> the level
/// (absent for Information), <c>@x</c> the exception, the properties at the top level.
/// </summary>
internal static partial class ClefLine
{
    /// <summary>The line's message with its properties filled in, or null when the line is not a CLEF event.</summary>
    public static string? Message(JsonElement root)
    {
        if (!root.TryGetProperty("@mt", out var template))
        {
            return null;
        }

        return Hole().Replace(template.GetString() ?? string.Empty, m =>
            root.TryGetProperty(m.Groups["name"].Value, out var value)
                ? value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText()
                : m.Value);
    }

    public static string Level(JsonElement root) => root.TryGetProperty("@l", out var level) ? level.GetString() ?? "?" : "Information";

    public static string? Exception(JsonElement root) => root.TryGetProperty("@x", out var e) ? e.GetString() : null;

    [GeneratedRegex(@"\{[@$]?(?<name>[A-Za-z0-9_]+)(,[^:}]*)?(:[^}]*)?\}")]
    private static partial Regex Hole();
}
