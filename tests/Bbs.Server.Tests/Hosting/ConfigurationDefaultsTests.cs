using System.Text.RegularExpressions;
using Bbs.Server.Hosting;
using Bbs.Server.Hosting.Configuration;
using Microsoft.Extensions.Configuration;

namespace Bbs.Server.Tests.Hosting;

/// <summary>
/// The defaults a person reads (README's configuration table, the shipped appsettings.json, --help) are the options
/// classes' defaults, bound through the real configuration binder.
/// </summary>
public sealed partial class ConfigurationDefaultsTests
{
    [Fact]
    public void EveryValueInTheReadmesConfigurationTableIsTheOptionsDefault()
    {
        var rows = ReadmeTable();
        Assert.True(rows.Count >= 30, $"README's configuration table has only {rows.Count} keys");

        Assert.All(rows, row =>
        {
            var bindings = BbsOptionCatalog.Bindings.Where(o => o.Key == row.Key).ToList();
            Assert.True(bindings.Count > 0, $"README names {row.Key}, which no option binds");
            foreach (var option in bindings)
            {
                if (row.Default is "none" or "random")
                {
                    Assert.True(option.DefaultText is null, $"README says {row.Key} has no default; {option.OptionsType.Name}.{option.Property.Name} defaults to {option.DefaultText}");
                    continue;
                }

                var bound = Bind(option, row.Default);
                Assert.True(Equals(option.Default, bound), $"README says {row.Key} defaults to {row.Default} (binds as {bound}); {option.OptionsType.Name}.{option.Property.Name} defaults to {option.Default}");
            }
        });
    }

    [Fact]
    public void TheShippedAppsettingsHoldsEveryDefaultAndNothingElse()
    {
        var path = Path.Combine(RepositoryRoot(), "src", "Bbs.Server", "appsettings.json");
        var section = new ConfigurationBuilder().AddJsonFile(path).Build().GetSection(BbsServerOptions.SectionName);
        var keys = section.GetChildren().Select(c => c.Key).ToList();

        Assert.All(keys, key => Assert.Contains(BbsOptionCatalog.All, o => o.Key == key));
        Assert.All(BbsOptionCatalog.Bindings, option =>
        {
            if (option.DefaultText is null)
            {
                Assert.DoesNotContain(option.Key, keys);
                return;
            }

            Assert.True(section[option.Key] is not null, $"appsettings.json has no {option.Key} (default {option.DefaultText})");
            Assert.Equal(option.Default, Bind(option, section[option.Key]!));
        });
    }

    [Fact]
    public void TheShippedAppsettingsIsCopiedBesideTheServer()
    {
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(Cluster.BbsProcess.ServerAssembly)!, "appsettings.json")));
    }

    [Fact]
    public void EveryOptionsDefaultPassesTheStartUpCheckWhenWrittenOut()
    {
        var values = BbsOptionCatalog.All.Where(o => o.DefaultText is not null)
            .ToDictionary(o => $"{BbsServerOptions.SectionName}:{o.Key}", o => o.DefaultText);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        ConfigurationCheck.Check(configuration);
    }

    private static object? Bind(BbsOption option, string text)
    {
        GoDurationConverter.Register();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"{BbsServerOptions.SectionName}:{option.Key}"] = text })
            .Build();
        var bound = configuration.GetSection(BbsServerOptions.SectionName).Get(option.OptionsType)
            ?? throw new InvalidOperationException($"{option.Key}={text} bound nothing");
        return option.Property.GetValue(bound);
    }

    private static List<(string Key, string Default)> ReadmeTable()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "README.md"));
        int header = Array.FindIndex(lines, l => l.Trim() == "| key | default | meaning |");
        Assert.True(header >= 0, "README has no configuration table (| key | default | meaning |)");
        var rows = new List<(string, string)>();
        foreach (var line in lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = line.Split('|');
            var keys = Code().Matches(cells[1]).Select(m => m.Groups[1].Value).ToList();
            var defaults = cells[2].Split(',', StringSplitOptions.TrimEntries).Select(d => d.Trim('`')).ToList();
            Assert.True(defaults.Count == 1 || defaults.Count == keys.Count, $"README row {line}: {keys.Count} keys, {defaults.Count} defaults");
            for (int i = 0; i < keys.Count; i++)
            {
                rows.Add((keys[i], defaults.Count == 1 ? defaults[0] : defaults[i]));
            }
        }

        return rows;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bbs.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Bbs.sln above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex("`([a-z_]+)`")]
    private static partial Regex Code();
}
