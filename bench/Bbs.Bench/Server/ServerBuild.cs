using System.Diagnostics;
using Bbs.Bench.Report;

namespace Bbs.Bench.Server;

/// <summary>Finds (and by default first builds) the Release Bbs.Server.dll of this repository.</summary>
public static class ServerBuild
{
    private const string Project = "src/Bbs.Server/Bbs.Server.csproj";

    public static async Task<string> LocateAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ServerDll is { } given)
        {
            return File.Exists(given) ? given : throw new FileNotFoundException($"--server-dll {given} does not exist");
        }

        string root = RepositoryRoot();
        if (options.BuildServer)
        {
            await BuildAsync(root, cancellationToken).ConfigureAwait(false);
        }

        var output = new DirectoryInfo(Path.Combine(root, "src/Bbs.Server/bin/Release"));
        var dll = output.Exists
            ? output.EnumerateFiles("Bbs.Server.dll", SearchOption.AllDirectories).OrderByDescending(f => f.LastWriteTimeUtc).FirstOrDefault()
            : null;
        return dll?.FullName ?? throw new FileNotFoundException(
            $"no Release build of Bbs.Server under {output.FullName}; run 'dotnet build -c Release {Project}' or drop --no-build");
    }

    private static async Task BuildAsync(string root, CancellationToken cancellationToken)
    {
        Progress.Say($"building {Project} (Release)");
        var start = new ProcessStartInfo(DotnetHost.Path)
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])["build", "-c", "Release", Project, "-nologo", "-v:q", "-clp:ErrorsOnly", "-nodeReuse:false"])
        {
            start.ArgumentList.Add(argument);
        }

        using var build = Process.Start(start) ?? throw new InvalidOperationException("could not start 'dotnet build'");
        var stdout = build.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = build.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await build.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            build.Kill(entireProcessTree: true);
            throw;
        }

        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"'dotnet build -c Release {Project}' failed ({build.ExitCode}):\n{await stdout.ConfigureAwait(false)}{await stderr.ConfigureAwait(false)}");
        }
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

        throw new DirectoryNotFoundException($"no Bbs.sln above {AppContext.BaseDirectory}; pass --server-dll");
    }
}

/// <summary>The dotnet host running this process, to run the server and the build with the same SDK.</summary>
internal static class DotnetHost
{
    public static string Path { get; } =
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Environment.ProcessPath is { } self && System.IO.Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : "dotnet";
}
