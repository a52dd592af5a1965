using System.ComponentModel;
using System.Globalization;
using System.Text;

namespace Bbs.Server.Hosting.Configuration;

/// <summary>
/// Durations as Diego's configuration writes them (Go's <c>time.ParseDuration</c>: <c>30s</c>, <c>5m</c>, <c>1h30m</c>,
/// <c>500ms</c>, <c>1.5h</c>), and .NET's constant form (<c>00:00:30</c>, <c>1.00:00:00</c>) that this server's
/// configuration used first. A bare number other than <c>0</c> is refused, as Go refuses it: <c>30</c> would be
/// thirty days to .NET and thirty nanoseconds to nobody.
/// </summary>
public static class GoDuration
{
    /// <summary>What a valid duration looks like, for error messages and <c>--help</c>.</summary>
    public const string Expected = "a duration such as 30s, 5m, 1h30m, 500ms, or hh:mm:ss";

    private static readonly (string Unit, long Ticks)[] Units =
    [
        ("ns", 0), ("us", 10), ("µs", 10), ("μs", 10), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        var s = text?.Trim();
        if (string.IsNullOrEmpty(s))
        {
            return false;
        }

        if (s.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParseExact(s, "c", CultureInfo.InvariantCulture, out value);
        }

        return TryParseGo(s, out value);
    }

    public static TimeSpan Parse(string? text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"'{text}' is not {Expected}");

    /// <summary>Go's form of a duration (<c>1h30m</c>, <c>500ms</c>, <c>0s</c>), as <c>time.Duration.String</c> writes it, without its zero parts.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            text.Append('-');
            value = value.Negate();
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            return text.Append(value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)).Append("ms").ToString();
        }

        long hours = (long)value.TotalHours;
        if (hours > 0)
        {
            text.Append(hours).Append('h');
        }

        if (value.Minutes > 0)
        {
            text.Append(value.Minutes).Append('m');
        }

        double seconds = value.Seconds + (value.Ticks % TimeSpan.TicksPerSecond / (double)TimeSpan.TicksPerSecond);
        if (seconds > 0)
        {
            text.Append(seconds.ToString(CultureInfo.InvariantCulture)).Append('s');
        }

        return text.ToString();
    }

    private static bool TryParseGo(string s, out TimeSpan value)
    {
        value = default;
        int i = 0;
        bool negative = false;
        if (s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            i++;
        }

        if (s[i..] == "0")
        {
            return true;
        }

        decimal ticks = 0;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (!decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            int unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            var unit = s[unitStart..i];
            var match = Array.FindIndex(Units, u => u.Unit == unit);
            if (match < 0)
            {
                return false;
            }

            ticks += unit == "ns" ? number / 100 : number * Units[match].Ticks;
            if (ticks > TimeSpan.MaxValue.Ticks)
            {
                return false;
            }
        }

        value = TimeSpan.FromTicks((long)ticks);
        if (negative)
        {
            value = value.Negate();
        }

        return true;
    }
}

/// <summary>
/// Lets the configuration binder read every <see cref="TimeSpan"/> option in <see cref="GoDuration"/>'s forms.
/// The binder converts through <see cref="TypeDescriptor.GetConverter(Type)"/>, so registering this converter
/// for <see cref="TimeSpan"/> covers every options class at once, whichever project it lives in.
/// </summary>
public sealed class GoDurationConverter : TimeSpanConverter
{
    private static readonly Lock Gate = new();
    private static bool registered;

    /// <summary>Registers the converter for the process (idempotent; a caller returns once it is in place).</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (!registered)
            {
                TypeDescriptor.AddAttributes(typeof(TimeSpan), new TypeConverterAttribute(typeof(GoDurationConverter)));
                registered = true;
            }
        }
    }

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? GoDuration.Parse(text) : base.ConvertFrom(context, culture, value);
}
