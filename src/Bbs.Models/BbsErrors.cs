namespace Bbs.Models;

/// <summary>BBS's canonical errors with their exact messages (models/errors.go).</summary>
public static class BbsErrors
{
    public static Error ResourceNotFound => New(Error.Types.Type.ResourceNotFound, "the requested resource could not be found");

    public static Error ResourceExists => New(Error.Types.Type.ResourceExists, "the requested resource already exists");

    public static Error ResourceConflict => New(Error.Types.Type.ResourceConflict, "the requested resource is in a conflicting state");

    public static Error BadRequest => New(Error.Types.Type.InvalidRequest, "the request received is invalid");

    public static Error Unknown => New(Error.Types.Type.UnknownError, "the request failed for an unknown reason");

    public static Error DeserializeJson => New(Error.Types.Type.InvalidJson, "could not deserialize JSON");

    public static Error FailedToOpenEnvelope => New(Error.Types.Type.FailedToOpenEnvelope, "could not open envelope");

    public static Error CannotClaim => New(Error.Types.Type.ActualLrpcannotBeClaimed, "cannot claim actual LRP");

    public static Error CannotStart => New(Error.Types.Type.ActualLrpcannotBeStarted, "cannot start actual LRP");

    public static Error CannotCrash => New(Error.Types.Type.ActualLrpcannotBeCrashed, "cannot crash actual LRP");

    public static Error CannotFail => New(Error.Types.Type.ActualLrpcannotBeFailed, "cannot fail actual LRP");

    public static Error CannotRemove => New(Error.Types.Type.ActualLrpcannotBeRemoved, "cannot remove actual LRP");

    public static Error CannotStop => New(Error.Types.Type.ActualLrpcannotBeStopped, "cannot stop actual LRP");

    public static Error CannotUnclaim => New(Error.Types.Type.ActualLrpcannotBeUnclaimed, "cannot unclaim actual LRP");

    public static Error CannotEvacuate => New(Error.Types.Type.ActualLrpcannotBeEvacuated, "cannot evacuate actual LRP");

    /// <summary>Validation failure: type InvalidRequest with the validation text.</summary>
    public static Error InvalidRequest(string message) => New(Error.Types.Type.InvalidRequest, message);

    /// <summary>"Cannot transition from X to Y" with task state names.</summary>
    public static Error InvalidStateTransition(string from, string to) => New(Error.Types.Type.InvalidStateTransition, $"Cannot transition from {from} to {to}");

    public static Error RunningOnDifferentCell(string actual, string expected) => New(Error.Types.Type.RunningOnDifferentCell, $"Running on cell {actual} not {expected}");

    public static Error New(Error.Types.Type type, string message) => new() { Type = type, Message = message };
}
