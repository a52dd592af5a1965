using System.Text;

namespace Bbs.Models.Rules;

/// <summary>Crash, placement, failure and rejection reasons are stored in at most 1024 bytes (NEW).</summary>
public static class ReasonText
{
    public const int MaxBytes = 1024;
    public const string TruncatedSuffix = "(truncated)";

    /// <summary>
    /// The reason itself when it fits; otherwise its longest prefix that, followed by "(truncated)", fits in
    /// <see cref="MaxBytes"/> UTF-8 bytes. The cut never splits a character.
    /// </summary>
    public static string Truncate(string reason)
    {
        if (Encoding.UTF8.GetByteCount(reason) <= MaxBytes)
        {
            return reason;
        }

        var budget = MaxBytes - TruncatedSuffix.Length;
        var bytes = 0;
        var end = 0;
        while (end < reason.Length)
        {
            var width = char.IsHighSurrogate(reason[end]) && end + 1 < reason.Length && char.IsLowSurrogate(reason[end + 1]) ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(reason.AsSpan(end, width));
            if (bytes + size > budget)
            {
                break;
            }

            bytes += size;
            end += width;
        }

        return string.Concat(reason.AsSpan(0, end), TruncatedSuffix);
    }
}
