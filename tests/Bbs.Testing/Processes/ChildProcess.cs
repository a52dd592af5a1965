using System.Diagnostics;

namespace Bbs.Testing.Processes;

/// <summary>What tests do to the server processes they start.</summary>
public static class ChildProcess
{
    /// <summary>
    /// SIGKILL to the process and its children (no lease is released, as in a crash), then waits up to
    /// <paramref name="timeout"/> for it to exit. Returns false when it did not exit in time.
    /// </summary>
    public static async Task<bool> KillAndWaitAsync(Process process, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(process);
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
