namespace Bbs.Models.Rules;

/// <summary>
/// The ActualLRP lifecycle of bbs-protocol.md §4.1 as pure functions: each takes the stored instance
/// record (null when there is none) and returns the record to write, a no-op, or BBS's refusal. Inputs are
/// never modified. Times are unix nanoseconds supplied by the caller.
/// </summary>
public static class ActualLrpLifecycle
{
    /// <summary>A fresh UNCLAIMED record for a desired index: new epoch, modification index 0.</summary>
    public static ActualLRP NewUnclaimed(ActualLRPKey key, long nowUnixNanos, string epoch) => new()
    {
        ActualLrpKey = key.Clone(),
        ActualLrpInstanceKey = new ActualLRPInstanceKey(),
        ActualLrpNetInfo = new ActualLRPNetInfo(),
        State = ActualLrpStates.Unclaimed,
        Since = nowUnixNanos,
        ModificationTag = ModificationTagRules.New(epoch),
        Routable = false,
    };

    /// <summary>A fresh RUNNING record, for a start that finds no record: new epoch, modification index 0.</summary>
    public static ActualLRP NewRunning(RunningInstance instance, long nowUnixNanos, string epoch)
    {
        var lrp = new ActualLRP
        {
            State = ActualLrpStates.Running,
            Since = nowUnixNanos,
            ModificationTag = ModificationTagRules.New(epoch),
        };
        instance.ApplyTo(lrp);
        return lrp;
    }

    /// <summary>
    /// A cell claims the instance: CLAIMED with its instance key, net info and placement error cleared.
    /// Claiming again with the same key is a no-op; anything the table refuses is CannotClaim.
    /// </summary>
    public static LifecycleOutcome<ActualLRP> Claim(ActualLRP? current, ActualLRPInstanceKey instanceKey, long nowUnixNanos)
    {
        if (current is null)
        {
            return LifecycleOutcome<ActualLRP>.Refused(BbsErrors.ResourceNotFound);
        }

        // The request names only guid and index, which is how the record was found: the keys agree.
        if (!ActualLrpTransitions.AllowsTransitionTo(current, current.ActualLrpKey, instanceKey, ActualLrpStates.Claimed))
        {
            return LifecycleOutcome<ActualLRP>.Refused(BbsErrors.CannotClaim);
        }

        if (current.State == ActualLrpStates.Claimed)
        {
            return LifecycleOutcome<ActualLRP>.NoOp(); // allowed only with the same instance key
        }

        var next = Written(current, nowUnixNanos);
        next.State = ActualLrpStates.Claimed;
        next.ActualLrpInstanceKey = instanceKey.Clone();
        next.ActualLrpNetInfo = new ActualLRPNetInfo();
        next.PlacementError = string.Empty;
        next.Routable = false;
        return LifecycleOutcome<ActualLRP>.Changed(next);
    }

    /// <summary>
    /// A rep reports the instance running. With no record one is created (<paramref name="newEpoch"/> is
    /// called only then); the same report again is a no-op (the rep's heartbeat); a refused transition is
    /// CannotStart.
    /// </summary>
    public static LifecycleOutcome<ActualLRP> Start(
        ActualLRP? current, RunningInstance instance, long nowUnixNanos, Func<string> newEpoch)
    {
        if (current is null)
        {
            return LifecycleOutcome<ActualLRP>.Changed(NewRunning(instance, nowUnixNanos, newEpoch()));
        }

        if (instance.IsReportedBy(current))
        {
            return LifecycleOutcome<ActualLRP>.NoOp();
        }

        if (!ActualLrpTransitions.AllowsTransitionTo(current, instance.Key, instance.InstanceKey, ActualLrpStates.Running))
        {
            return LifecycleOutcome<ActualLRP>.Refused(BbsErrors.CannotStart);
        }

        var next = Written(current, nowUnixNanos);
        instance.ApplyTo(next);
        next.State = ActualLrpStates.Running;
        next.PlacementError = string.Empty;
        return LifecycleOutcome<ActualLRP>.Changed(next);
    }

    /// <summary>
    /// A rep reports the instance crashed: CRASHED with the new crash count and reason, instance key and
    /// net info cleared. While the count allows an immediate restart the record goes to UNCLAIMED instead
    /// and <see cref="LifecycleOutcome{TRecord}.AuctionNeeded"/> is set. A refused transition is CannotCrash.
    /// </summary>
    public static LifecycleOutcome<ActualLRP> Crash(
        ActualLRP? current,
        ActualLRPKey key,
        ActualLRPInstanceKey instanceKey,
        string reason,
        long nowUnixNanos,
        RestartPolicy? policy = null)
    {
        if (current is null)
        {
            return LifecycleOutcome<ActualLRP>.Refused(BbsErrors.ResourceNotFound);
        }

        if (!ActualLrpTransitions.AllowsTransitionTo(current, key, instanceKey, ActualLrpStates.Crashed))
        {
            return LifecycleOutcome<ActualLRP>.Refused(BbsErrors.CannotCrash);
        }

        var next = Written(current, nowUnixNanos);
        next.CrashCount = RestartCalculator.NextCrashCount(current, nowUnixNanos);
        next.CrashReason = ReasonText.Truncate(reason);
        next.ActualLrpInstanceKey = new ActualLRPInstanceKey();
        next.ActualLrpNetInfo = new ActualLRPNetInfo();
        next.Routable = false;

        var restartNow = RestartCalculator.ShouldRestartImmediately(next.CrashCount, policy);
        next.State = restartNow ? ActualLrpStates.Unclaimed : ActualLrpStates.Crashed;
        return LifecycleOutcome<ActualLRP>.Changed(next, auctionNeeded: restartNow);
    }

    /// <summary>
    /// The auctioneer could not place the instance: only an UNCLAIMED record takes a placement error, which
    /// is stored in at most 1024 bytes. Anything else is CannotFail.
    /// </summary>
    public static LifecycleOutcome<ActualLRP> Fail(ActualLRP? current, string placementError, long nowUnixNanos)
    {
        if (current is null)
        {
            return LifecycleOutcome<ActualLRP>.Refused(BbsErrors.ResourceNotFound);
        }

        if (current.State != ActualLrpStates.Unclaimed)
        {
            return LifecycleOutcome<ActualLRP>.Refused(BbsErrors.CannotFail);
        }

        var next = Written(current, nowUnixNanos);
        next.PlacementError = ReasonText.Truncate(placementError);
        return LifecycleOutcome<ActualLRP>.Changed(next);
    }

    /// <summary>
    /// Back to UNCLAIMED without an instance (evacuation and convergence); crash count and placement error
    /// stay. An already UNCLAIMED record is CannotUnclaim.
    /// </summary>
    public static LifecycleOutcome<ActualLRP> Unclaim(ActualLRP? current, long nowUnixNanos)
    {
        if (current is null)
        {
            return LifecycleOutcome<ActualLRP>.Refused(BbsErrors.ResourceNotFound);
        }

        if (current.State == ActualLrpStates.Unclaimed)
        {
            return LifecycleOutcome<ActualLRP>.Refused(BbsErrors.CannotUnclaim);
        }

        var next = Written(current, nowUnixNanos);
        next.State = ActualLrpStates.Unclaimed;
        next.ActualLrpInstanceKey = new ActualLRPInstanceKey();
        next.ActualLrpNetInfo = new ActualLRPNetInfo();
        next.Routable = false;
        return LifecycleOutcome<ActualLRP>.Changed(next);
    }

    /// <summary>
    /// RemoveActualLRP: the record must exist and, when the request names an instance key, be held by it;
    /// otherwise ResourceNotFound (NEW). The outcome's record is the one to delete.
    /// </summary>
    public static LifecycleOutcome<ActualLRP> Remove(ActualLRP? current, ActualLRPInstanceKey? instanceKey)
    {
        if (current is null ||
            (instanceKey is not null && !ActualLrpTransitions.InstanceKeysEqual(current.ActualLrpInstanceKey, instanceKey)))
        {
            return LifecycleOutcome<ActualLRP>.Refused(BbsErrors.ResourceNotFound);
        }

        return LifecycleOutcome<ActualLRP>.Changed(current);
    }

    // Every write stamps since and bumps the modification index.
    private static ActualLRP Written(ActualLRP current, long nowUnixNanos)
    {
        var next = current.Clone();
        next.Since = nowUnixNanos;
        next.ModificationTag = ModificationTagRules.Incremented(current.ModificationTag);
        return next;
    }
}
