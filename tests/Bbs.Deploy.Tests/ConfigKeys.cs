using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bbs.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace Bbs.Deploy.Tests;

/// <summary>The server's configuration keys, and the keys that deploy files set.</summary>
public static partial class ConfigKeys
{
    /// <summary>
    /// Every key the server reads from the <c>Bbs</c> section: each <see cref="ConfigurationKeyNameAttribute"/> in the
    /// server's assemblies (every option class there is bound from that section: BbsServerBuilder, StoreRegistration,
    /// AddBbsPeers), and <c>log_level</c>, which Logging.cs reads directly.
    /// </summary>
    public static IReadOnlySet<string> Known { get; } = FindKnown();

    /// <summary>Keys set by a text: <c>Bbs__key</c> environment variables and <c>--Bbs:key=value</c> arguments.</summary>
    public static IEnumerable<string> InText(string text) =>
        KeyReference().Matches(text).Select(m => m.Groups["key"].Value.Split("__")[0]);

    /// <summary>Keys of the <c>Bbs</c> object of an appsettings-style JSON file; none when it has no such object.</summary>
    public static IEnumerable<string> InJson(string json)
    {
        // As the .NET JSON configuration provider reads it.
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var section = document.RootElement.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, BbsServerOptions.SectionName, StringComparison.OrdinalIgnoreCase));
        return section.Value.ValueKind == JsonValueKind.Object ? [.. section.Value.EnumerateObject().Select(p => p.Name)] : [];
    }

    /// <summary>Keys set in a YAML file: in every scalar (environment names, arguments, values) and in JSON files it embeds (ConfigMap data).</summary>
    public static IEnumerable<string> InYaml(string text)
    {
        foreach (var document in Yaml.LoadAll(text))
        {
            foreach (string scalar in Yaml.Scalars(document))
            {
                foreach (string key in InText(scalar))
                {
                    yield return key;
                }
            }

            if (document is Dictionary<string, object?> map && map.GetValueOrDefault("kind") is "ConfigMap" && map.GetValueOrDefault("data") is Dictionary<string, object?> data)
            {
                foreach (var (name, value) in data)
                {
                    if (name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                    {
                        foreach (string key in InJson(Yaml.Str(value, $"ConfigMap data {name}")))
                        {
                            yield return key;
                        }
                    }
                }
            }
        }
    }

    /// <summary>Keys set by a repository file, chosen by its kind.</summary>
    public static IReadOnlyList<string> InFile(string relative)
    {
        string text = RepositoryFiles.Read(relative);
        return relative switch
        {
            _ when relative.EndsWith(".yml", StringComparison.Ordinal) || relative.EndsWith(".yaml", StringComparison.Ordinal) => [.. InYaml(text)],
            _ when relative.EndsWith(".json", StringComparison.Ordinal) => [.. InJson(text)],
            _ => [.. InText(text)],
        };
    }

    private static HashSet<string> FindKnown()
    {
        // Every server assembly is copied beside the tests (the project references Bbs.Server).
        var assemblies = Directory.EnumerateFiles(AppContext.BaseDirectory, "Bbs.*.dll")
            .Where(f => !Path.GetFileName(f).StartsWith("Bbs.Deploy.Tests", StringComparison.Ordinal))
            .Select(f => Assembly.Load(AssemblyName.GetAssemblyName(f)));
        var keys = assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
            .Select(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name)
            .OfType<string>();
        return new HashSet<string>(keys.Append("log_level"), StringComparer.OrdinalIgnoreCase);
    }

    // Environment variables are named Bbs__key (BBS__key also binds); arguments are --Bbs:key=value. The key ends at
    // the first character that cannot be in one; "__0" after it is a list index (encryption_keys__0).
    [GeneratedRegex(@"(?:\bBbs__|\bBBS__|--Bbs:)(?<key>[A-Za-z][A-Za-z0-9_]*)")]
    private static partial Regex KeyReference();
}
