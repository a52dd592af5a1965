using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Bbs.Server.Tests.Cluster;

namespace Bbs.Server.Tests.Hosting;

/// <summary>
/// The README's examples are true: every shell block marked <c>&lt;!-- readme-examples --&gt;</c> runs, in order, with
/// bash and curl against a real server process on the embedded store, and each command prints what its comment says
/// (<c>…</c> stands for what changes from run to run).
/// </summary>
public sealed partial class ReadmeExamplesTests
{
    private const string Marker = "<!-- readme-examples -->";
    private const string Separator = "@@@readme-example@@@";

    [Fact]
    public async Task TheReadmesExamplesPrintWhatTheReadmeSays()
    {
        var examples = Examples(File.ReadAllText(ReadmePath()));
        Assert.True(examples.Count(e => e.Expected is not null) >= 10, $"only {examples.Count} README example lines were found");

        await using var server = new BbsProcess("readme", "readme", BbsProcess.FreePort(), new Dictionary<string, string>());
        server.Start();
        await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));

        var script = new StringBuilder("set -u\n");
        foreach (var example in examples)
        {
            var command = example.Command.Replace("http://127.0.0.1:8889", server.Url.ToString().TrimEnd('/'), StringComparison.Ordinal);
            script.Append(example.Expected is null ? $"{command}\n" : $"{command}\necho\necho '{Separator}'\n");
        }

        var outputs = (await RunBashAsync(script.ToString())).Split(Separator + "\n");
        var checkedExamples = examples.Where(e => e.Expected is not null).ToList();
        Assert.True(outputs.Length > checkedExamples.Count, $"the examples printed less than expected:{Environment.NewLine}{string.Join(Environment.NewLine, outputs)}");
        var failures = new List<string>();
        for (var i = 0; i < checkedExamples.Count; i++)
        {
            var (command, expected) = checkedExamples[i];
            var actual = outputs[i].Trim();
            if (!Matches(expected!, actual))
            {
                failures.Add($"{command}{Environment.NewLine}  README says: {expected}{Environment.NewLine}  printed:     {actual}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures) + Environment.NewLine + server.RecentOutput);
    }

    /// <summary>The README's example lines, in order: each command, and what its comment says it prints (null for set-up lines).</summary>
    private static List<(string Command, string? Expected)> Examples(string readme)
    {
        var lines = readme.Split('\n');
        var examples = new List<(string, string?)>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != Marker)
            {
                continue;
            }

            Assert.StartsWith("```sh", lines[i + 1], StringComparison.Ordinal);
            for (var j = i + 2; !lines[j].StartsWith("```", StringComparison.Ordinal); j++)
            {
                var match = CommentedCommand().Match(lines[j]);
                examples.Add(match.Success ? (match.Groups["command"].Value, match.Groups["expected"].Value.Trim()) : (lines[j], null));
            }
        }

        return examples;
    }

    /// <summary>
    /// JSON must match exactly, member order and form included, apart from the <c>…</c> parts; other output matches
    /// up to the comment's parenthesis ("08 01 (protobuf: available=true)").
    /// </summary>
    private static bool Matches(string expected, string actual)
    {
        if (!expected.StartsWith('{') && !expected.StartsWith('['))
        {
            var paren = expected.IndexOf(" (", StringComparison.Ordinal);
            return actual == (paren > 0 ? expected[..paren] : expected);
        }

        var pattern = "^" + string.Join(".+?", expected.Split('…').Select(Regex.Escape)) + "$";
        return Regex.IsMatch(actual, pattern, RegexOptions.None, TimeSpan.FromSeconds(5));
    }

    private static async Task<string> RunBashAsync(string script)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"bash exited {process.ExitCode}: {await error}");
        return await output;
    }

    private static string ReadmePath()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Bbs.sln")))
            {
                return Path.Combine(directory.FullName, "README.md");
            }
        }

        throw new InvalidOperationException("no Bbs.sln above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^(?<command>curl .*?)\s{2,}# (?<expected>.*)$")]
    private static partial Regex CommentedCommand();
}
