using System.Diagnostics;

namespace Bbs.Testing.Prometheus;

/// <summary>Debian's <c>prometheus</c> and <c>promtool</c>, which tests/run.sh installs when they are missing.</summary>
public static class Tools
{
    /// <summary>The full path of <paramref name="name"/> on PATH; fails (never skips) with how to get it when it is missing.</summary>
    public static string Require(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException($"{name} is not on PATH: install Debian's prometheus package (tests/run.sh does: apt-get install prometheus).");
    }

    /// <summary>Runs <c>promtool</c> with <paramref name="arguments"/> and <paramref name="input"/> on stdin; its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> PromtoolAsync(IEnumerable<string> arguments, string? input = null, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(Require("promtool"))
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }
}
