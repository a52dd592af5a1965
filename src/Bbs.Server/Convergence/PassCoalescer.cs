namespace Bbs.Server.Convergence;

/// <summary>
/// At most one convergence pass runs at a time, and callers never pile passes up: a caller that arrives while a
/// pass runs shares the one pass queued to start after it (the running pass may have begun before the caller's own
/// writes, so it cannot answer for them). However many calls arrive, at most two passes exist: one running, one
/// queued. A queued pass runs the function of the latest caller that joined it.
/// </summary>
internal sealed class PassCoalescer<T>
{
    private readonly Lock gate = new();
    private bool running;
    private TaskCompletionSource<T>? queued;
    private Func<Task<T>>? queuedPass;

    /// <summary>
    /// The result of a pass that starts no earlier than this call. <paramref name="pass"/> carries its own
    /// cancellation; <paramref name="cancellationToken"/> only stops this caller's wait.
    /// </summary>
    public Task<T> RunAsync(Func<Task<T>> pass, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (running)
            {
                queued ??= new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
                queuedPass = pass;
                return queued.Task.WaitAsync(cancellationToken);
            }

            running = true;
            var first = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            _ = Task.Run(() => RunPassesAsync(pass, first), CancellationToken.None);
            return first.Task.WaitAsync(cancellationToken);
        }
    }

    private async Task RunPassesAsync(Func<Task<T>> pass, TaskCompletionSource<T> result)
    {
        while (true)
        {
            try
            {
                result.TrySetResult(await pass().ConfigureAwait(false));
            }
            catch (OperationCanceledException ex)
            {
                result.TrySetCanceled(ex.CancellationToken);
            }
            catch (Exception ex)
            {
                result.TrySetException(ex);
            }

            lock (gate)
            {
                if (queued is null)
                {
                    running = false;
                    return;
                }

                (result, pass) = (queued, queuedPass!);
                queued = null;
                queuedPass = null;
            }
        }
    }
}
