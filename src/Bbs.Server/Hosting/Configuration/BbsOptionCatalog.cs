using System.Collections;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Bbs.Db;
using Bbs.Db.Format;
using Bbs.Peers;
using Bbs.Server.Convergence;
using Bbs.Server.Events;
using Bbs.Server.Tasks;

namespace Bbs.Server.Hosting.Configuration;

/// <summary>One key of the <c>Bbs</c> section: the option property it binds to, its default and its meaning.</summary>
public sealed record BbsOption(string Key, Type OptionsType, PropertyInfo Property, object? Default, string Description)
{
    /// <summary>The property's type, without <see cref="Nullable{T}"/>.</summary>
    public Type ValueType => Nullable.GetUnderlyingType(Property.PropertyType) ?? Property.PropertyType;

    /// <summary>The default as a person writes it in configuration (<c>30s</c>, <c>embedded</c>), or null when there is none.</summary>
    public string? DefaultText => BbsOptionCatalog.Format(Default);

    /// <summary>What a valid value looks like, for error messages and <c>--help</c>.</summary>
    public string Expected
    {
        get
        {
            if (Property.GetCustomAttribute<AllowedValuesAttribute>() is { } allowed)
            {
                return string.Join(", ", allowed.Values);
            }

            var range = Property.GetCustomAttribute<RangeAttribute>();
            return ValueType switch
            {
                var t when t == typeof(TimeSpan) => GoDuration.Expected,
                var t when t == typeof(bool) => "true or false",
                var t when t.IsEnum => string.Join(", ", Enum.GetNames(t).Select(n => n.ToLowerInvariant())),
                var t when (t == typeof(int) || t == typeof(long)) && range is not null => $"an integer from {range.Minimum} to {range.Maximum}",
                var t when t == typeof(int) || t == typeof(long) => "an integer",
                var t when typeof(IEnumerable).IsAssignableFrom(t) && t != typeof(string) => "a list (key:0, key:1, ...)",
                _ => "text",
            };
        }
    }
}

/// <summary>
/// Every option of the server's <c>Bbs</c> section, found by reflection over the options classes the server binds
/// (each property with a <see cref="Microsoft.Extensions.Configuration.ConfigurationKeyNameAttribute"/>). The one
/// list <c>--help</c>, start-up checks, <c>appsettings.json</c> and the README's table are held against.
/// </summary>
public static class BbsOptionCatalog
{
    /// <summary>The options classes bound from the <c>Bbs</c> section (BbsServerBuilder, StoreRegistration, AddBbsPeers).</summary>
    public static IReadOnlyList<Type> OptionsTypes { get; } =
    [
        typeof(BbsServerOptions), typeof(EtcdDbOptions), typeof(RecordFormatOptions), typeof(ConvergenceOptions),
        typeof(TaskOptions), typeof(EventOptions), typeof(AuctioneerOptions), typeof(RepClientOptions), typeof(Encryption.KeyRotationOptions),
    ];

    /// <summary>Every key once, in declaration order (a key bound by two classes, as <c>communication_timeout</c>, is listed with the first).</summary>
    public static IReadOnlyList<BbsOption> All { get; } = Find();

    /// <summary>Every binding of a key: a key shared by two classes appears twice.</summary>
    public static IReadOnlyList<BbsOption> Bindings { get; } = FindBindings();

    /// <summary>A default or value as a person writes it in configuration; null for none (null, empty).</summary>
    public static string? Format(object? value) => value switch
    {
        null => null,
        TimeSpan duration => GoDuration.Format(duration),
        bool flag => flag ? "true" : "false",
        Enum kind => kind.ToString().ToLowerInvariant(),
        string text => text.Length == 0 ? null : text,
        IEnumerable list => list.Cast<object>().Any() ? string.Join(",", list.Cast<object>()) : null,
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static List<BbsOption> Find()
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return [.. FindBindings().Where(o => seen.Add(o.Key))];
    }

    private static List<BbsOption> FindBindings()
    {
        var options = new List<BbsOption>();
        foreach (var type in OptionsTypes)
        {
            var instance = Activator.CreateInstance(type);
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetCustomAttribute<Microsoft.Extensions.Configuration.ConfigurationKeyNameAttribute>() is not { } key)
                {
                    continue;
                }

                var description = property.GetCustomAttribute<DescriptionAttribute>()?.Description
                    ?? throw new InvalidOperationException($"{type.Name}.{property.Name} ({key.Name}) has no [Description] for --help");
                options.Add(new BbsOption(key.Name, type, property, property.GetValue(instance), description));
            }
        }

        return options;
    }
}
