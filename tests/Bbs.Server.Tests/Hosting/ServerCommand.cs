using System.Diagnostics;
using Bbs.Server.Tests.Cluster;

namespace Bbs.Server.Tests.Hosting;

/// <summary>What a server process wrote and how it ended.</summary>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>Runs the real server executable with arguments to its end (for runs that must not start a server).</summary>
public static class ServerCommand
{
    public static async Task<CommandResult> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(BbsProcess.DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(BbsProcess.ServerAssembly)!,
        };
        start.ArgumentList.Add(BbsProcess.ServerAssembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // A free port, so that a run that wrongly starts a server fails on the timeout rather than on a bound port.
        start.ArgumentList.Add($"--Bbs:listen_address=127.0.0.1:{BbsProcess.FreePort()}");
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Bbs.Server {string.Join(' ', args)} did not exit within 60 s: {await stdout}{await stderr}");
        }

        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }
}
