namespace Bbs.Store;

/// <summary>
/// Shares one run of an operation among concurrent callers, each of which needs a run that starts no earlier than
/// its own call: a caller that arrives while a run is under way (it may have begun before the caller's own writes,
/// so it cannot answer for them) shares the one run queued to start after it. However many calls arrive, at most
/// two runs exist: one running, one queued. A queued run uses the function of the latest caller that joined it.
/// Used for convergence passes and for the store view's revision fence.
/// </summary>
public sealed class Coalescer<T>
{
    private readonly Lock gate = new();
    private bool running;
    private TaskCompletionSource<T>? queued;
    private Func<Task<T>>? queuedPass;

    /// <summary>
    /// The result of a run that starts no earlier than this call. <paramref name="pass"/> carries its own
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
