using Bbs.Models.Validation;

namespace Bbs.Models;

// BBS models/actions.go. Nested actions add their errors without a prefix; only the DesiredLRP and task
// levels prefix them with "Invalid field: setup/action/monitor".

public sealed partial class Action : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors() => ActionCase switch
    {
        ActionOneofCase.DownloadAction => DownloadAction.CollectErrors(),
        ActionOneofCase.UploadAction => UploadAction.CollectErrors(),
        ActionOneofCase.RunAction => RunAction.CollectErrors(),
        ActionOneofCase.TimeoutAction => TimeoutAction.CollectErrors(),
        ActionOneofCase.EmitProgressAction => EmitProgressAction.CollectErrors(),
        ActionOneofCase.TryAction => TryAction.CollectErrors(),
        ActionOneofCase.ParallelAction => ParallelAction.CollectErrors(),
        ActionOneofCase.SerialAction => SerialAction.CollectErrors(),
        ActionOneofCase.CodependentAction => CodependentAction.CollectErrors(),
        _ => new ValidationErrors().InvalidField("inner-action"),
    };

    /// <summary>An action wrapped by another: missing is "Invalid field: action".</summary>
    internal static ValidationErrors CollectWrapped(Action? wrapped) =>
        wrapped is null ? new ValidationErrors().InvalidField("action") : wrapped.CollectErrors();

    /// <summary>The actions of a parallel, serial or codependent action.</summary>
    internal static ValidationErrors CollectList(IReadOnlyList<Action> actions)
    {
        var errors = new ValidationErrors();
        if (actions.Count == 0)
        {
            return errors.InvalidField("actions");
        }

        for (var i = 0; i < actions.Count; i++)
        {
            // Go had a nil entry here; on the wire the nearest thing is an action with no kind set.
            if (actions[i].ActionCase == ActionOneofCase.None)
            {
                errors.InvalidField($"action at index {i}");
            }
            else
            {
                errors.AddAll(actions[i].CollectErrors());
            }
        }

        return errors;
    }
}

public sealed partial class DownloadAction : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors()
    {
        var errors = new ValidationErrors();
        if (From.Length == 0)
        {
            errors.InvalidField("from");
        }

        if (To.Length == 0)
        {
            errors.InvalidField("to");
        }

        if (User.Length == 0)
        {
            errors.InvalidField("user");
        }

        return errors.AddAll(Checksums.CollectErrors(ChecksumAlgorithm, ChecksumValue));
    }
}

public sealed partial class UploadAction : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors()
    {
        var errors = new ValidationErrors();
        if (To.Length == 0)
        {
            errors.InvalidField("to");
        }

        if (From.Length == 0)
        {
            errors.InvalidField("from");
        }

        if (User.Length == 0)
        {
            errors.InvalidField("user");
        }

        return errors;
    }
}

public sealed partial class RunAction : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors()
    {
        var errors = new ValidationErrors();
        if (Path.Length == 0)
        {
            errors.InvalidField("path");
        }

        if (User.Length == 0)
        {
            errors.InvalidField("user");
        }

        return errors;
    }
}

public sealed partial class TimeoutAction : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors()
    {
        var errors = Action.CollectWrapped(Action);

        // E16 clients send the nanosecond `timeout`, NEW clients `timeout_ms`; either one positive will do.
        // The message keeps E16's field name.
        if (TimeoutMs <= 0 && Timeout <= 0)
        {
            errors.InvalidField("timeout");
        }

        return errors;
    }
}

public sealed partial class EmitProgressAction : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors() => Action.CollectWrapped(Action);
}

public sealed partial class TryAction : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors() => Action.CollectWrapped(Action);
}

public sealed partial class ParallelAction : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors() => Action.CollectList(Actions);
}

public sealed partial class SerialAction : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors() => Action.CollectList(Actions);
}

public sealed partial class CodependentAction : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors() => Action.CollectList(Actions);
}

/// <summary>The checksum pair shared by download actions and cached dependencies (NEW).</summary>
internal static class Checksums
{
    private static readonly string[] Algorithms = ["md5", "sha1", "sha256"];

    public static ValidationErrors CollectErrors(string algorithm, string value)
    {
        var errors = new ValidationErrors();
        if (value.Length != 0 && algorithm.Length == 0)
        {
            errors.InvalidField("checksum algorithm");
        }

        if (value.Length == 0 && algorithm.Length != 0)
        {
            errors.InvalidField("checksum value");
        }

        if (value.Length != 0 && algorithm.Length != 0 &&
            !Algorithms.Contains(algorithm, StringComparer.OrdinalIgnoreCase))
        {
            errors.InvalidField("invalid algorithm");
        }

        return errors;
    }
}
