namespace Bbs.Deploy.Tests;

/// <summary>Paths in the repository under test, found by walking up from the test assembly to Bbs.sln.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string Deploy => Path.Combine(Root, "deploy");

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>Every file under deploy/ with one of the extensions, as repository-relative paths with '/'.</summary>
    public static IReadOnlyList<string> UnderDeploy(params string[] extensions) =>
        [.. Directory.EnumerateFiles(Deploy, "*", SearchOption.AllDirectories)
            .Where(f => extensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
            .Select(f => Path.GetRelativePath(Root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)];

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bbs.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Bbs.sln above {AppContext.BaseDirectory}.");
    }
}
