using System.Reflection;

namespace Bbs.Server.Hosting.Configuration;

/// <summary><c>--help</c> and <c>--version</c>: answered before the host is built, so neither starts a server.</summary>
public static class CommandLine
{
    /// <summary>The exit code when <paramref name="args"/> asked for help or the version (printed to <paramref name="output"/>), else null.</summary>
    public static int? TryAnswer(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        if (args.Any(a => a is "--help" or "-h" or "-?"))
        {
            output.Write(Help());
            return 0;
        }

        if (args.Any(a => a is "--version"))
        {
            output.WriteLine($"Bbs.Server {Version}");
            return 0;
        }

        return null;
    }

    /// <summary>The server's version: the assembly's informational version (with the commit when the build knew it).</summary>
    public static string Version { get; } =
        typeof(CommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(CommandLine).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    /// <summary>Every option with its default and meaning, from <see cref="BbsOptionCatalog"/>.</summary>
    public static string Help()
    {
        var options = BbsOptionCatalog.All;
        int keyWidth = options.Max(o => o.Key.Length) + 2;
        int defaultWidth = Math.Min(24, options.Max(o => (o.DefaultText ?? "none").Length)) + 2;
        var text = new StringWriter();
        text.WriteLine($"Bbs.Server {Version}: Cloud Foundry Diego's BBS (bulletin board system).");
        text.WriteLine();
        text.WriteLine("usage: Bbs.Server [--Bbs:<key>=<value> ...]");
        text.WriteLine("       Bbs.Server --help | --version");
        text.WriteLine();
        text.WriteLine("Every key can also be set in appsettings.json (\"Bbs\": { \"<key>\": <value> }) or the environment (Bbs__<key>=<value>).");
        text.WriteLine($"Durations are Go's form (30s, 5m, 1h30m, 500ms) or hh:mm:ss. An invalid value stops start-up with exit code {InvalidConfigurationException.ExitCode}.");
        text.WriteLine();
        text.WriteLine($"{"key".PadRight(keyWidth)}{"default".PadRight(defaultWidth)}meaning");
        foreach (var option in options)
        {
            string defaultText = option.DefaultText ?? "none";
            string line = $"{option.Key.PadRight(keyWidth)}{defaultText.PadRight(defaultWidth)}{option.Description}";
            if (defaultText.Length >= defaultWidth)
            {
                line = $"{option.Key.PadRight(keyWidth)}{defaultText}\n{new string(' ', keyWidth + defaultWidth)}{option.Description}";
            }

            text.WriteLine(line);
        }

        return text.ToString();
    }
}
