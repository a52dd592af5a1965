using System.Diagnostics;

namespace Bbs.Deploy.Tests;

/// <summary>
/// Prometheus's promtool, from PATH or else installed from Debian's prometheus package, as tests/run.sh installs
/// etcd-server. (On a machine run by systemd the package also starts a Prometheus server on 9090; no test uses that port.)
/// </summary>
public static class Promtool
{
    private static readonly Lazy<(string? Path, string Problem)> Located = new(Locate);

    /// <summary>The promtool executable; the test is skipped, saying why, only when it is missing and cannot be installed.</summary>
    public static string Require()
    {
        var (path, problem) = Located.Value;
        Skip.If(path is null, problem);
        return path!;
    }

    public static (int ExitCode, string Output) Run(string workingDirectory, params string[] arguments) =>
        Exec(Require(), workingDirectory, arguments);

    private static (string? Path, string Problem) Locate()
    {
        if (FindOnPath("promtool") is { } found)
        {
            return (found, string.Empty);
        }

        if (!OperatingSystem.IsLinux() || FindOnPath("apt-get") is null)
        {
            return (null, "promtool is not on PATH and there is no apt-get to install Debian's prometheus package: install Prometheus's promtool.");
        }

        string[] prefix = Environment.UserName == "root" ? [] : FindOnPath("sudo") is { } sudo ? [sudo, "-n"] : [];
        if (Environment.UserName != "root" && prefix.Length == 0)
        {
            return (null, "promtool is not on PATH, and installing Debian's prometheus package needs root or sudo.");
        }

        foreach (string[] step in new[] { new[] { "apt-get", "update", "-qq" }, ["apt-get", "install", "-y", "-qq", "prometheus"] })
        {
            string[] command = [.. prefix, .. step];
            var (exitCode, output) = Exec(command[0], RepositoryFiles.Root, command[1..]);
            if (exitCode != 0)
            {
                return (null, $"promtool is not on PATH and '{string.Join(' ', step)}' failed ({exitCode}):\n{output}");
            }
        }

        return FindOnPath("promtool") is { } installed
            ? (installed, string.Empty)
            : (null, "Debian's prometheus package installed, but promtool is still not on PATH.");
    }

    private static (int ExitCode, string Output) Exec(string fileName, string workingDirectory, string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within 10 minutes.");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
