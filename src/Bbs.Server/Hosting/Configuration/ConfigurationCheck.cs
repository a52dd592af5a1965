using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Bbs.Server.Hosting.Configuration;

/// <summary>
/// A configuration the server cannot run with. Its message is one line naming the key, the value and what is
/// valid; Program.cs prints it and exits with code 2, without a stack trace.
/// </summary>
public sealed class InvalidConfigurationException(string message) : Exception(message)
{
    public const int ExitCode = 2;
}

/// <summary>
/// Checks every value of the <c>Bbs</c> section against its option's type, range and allowed values before anything
/// binds it, so a wrong value is refused with a sentence a person can act on instead of the binder's exception.
/// Rules between keys (TLS files given together, files that exist) stay with the options validators; their
/// failures are turned into the same one line by <see cref="ValidateAtStart"/>.
/// </summary>
public static class ConfigurationCheck
{
    public static void Check(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        GoDurationConverter.Register();
        var section = configuration.GetSection(BbsServerOptions.SectionName);
        // The options' keys (a list's first segment), and the sections bound on their own (authorization).
        var known = BbsOptionCatalog.All.Select(o => o.Key.Split(':')[0])
            .Append(Authorization.BbsAuthorizationOptions.SectionName)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (!known.Contains(child.Key))
            {
                var near = Bbs.Models.NearestName.Find(child.Key, known) is { } name ? $"did you mean {name}? " : string.Empty;
                throw new InvalidConfigurationException(
                    $"invalid configuration: {BbsServerOptions.SectionName}:{child.Key} is not an option; {near}--help lists every option");
            }
        }

        foreach (var option in BbsOptionCatalog.All)
        {
            if (section[option.Key] is { } value && !IsValid(option, value))
            {
                throw new InvalidConfigurationException(
                    $"invalid configuration: {BbsServerOptions.SectionName}:{option.Key} is '{value}'; valid: {option.Expected}");
            }
        }
    }

    /// <summary>
    /// Runs the options validators that <c>ValidateOnStart</c> registered, now rather than inside the host's start
    /// (which logs the failure with a stack trace), and turns their failures into one <see cref="InvalidConfigurationException"/>.
    /// </summary>
    public static void ValidateAtStart(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException e)
        {
            throw new InvalidConfigurationException("invalid configuration: " + string.Join("; ", e.Failures));
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            var failures = e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(i => i.Failures);
            throw new InvalidConfigurationException("invalid configuration: " + string.Join("; ", failures));
        }
    }

    private static bool IsValid(BbsOption option, string value)
    {
        if (option.Property.GetCustomAttribute<AllowedValuesAttribute>() is { } allowed)
        {
            return allowed.Values.Contains(value);
        }

        var type = option.ValueType;
        var range = option.Property.GetCustomAttribute<RangeAttribute>();
        if (type == typeof(TimeSpan))
        {
            return GoDuration.TryParse(value, out var duration) && duration >= TimeSpan.Zero;
        }

        if (type == typeof(bool))
        {
            return bool.TryParse(value, out _);
        }

        if (type.IsEnum)
        {
            return Enum.GetNames(type).Contains(value.Trim(), StringComparer.OrdinalIgnoreCase);
        }

        if (type == typeof(int) || type == typeof(long))
        {
            return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
                && (type == typeof(long) || number is >= int.MinValue and <= int.MaxValue)
                && (range is null || (number >= Convert.ToInt64(range.Minimum, CultureInfo.InvariantCulture) && number <= Convert.ToInt64(range.Maximum, CultureInfo.InvariantCulture)));
        }

        return true;
    }
}
