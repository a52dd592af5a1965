using Bbs.Models.Validation;
using Google.Protobuf.Collections;

namespace Bbs.Models;

// The pieces a DesiredLRP or a task definition is built from (BBS models/*.go). Several arrived with NEW;
// E16 clients never send them, so their rules only bite on NEW payloads.

public sealed partial class CachedDependency : IValidatable
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

        return errors.AddAll(Checksums.CollectErrors(ChecksumAlgorithm, ChecksumValue));
    }

    internal static ValidationErrors CollectAll(IEnumerable<CachedDependency> dependencies)
    {
        var errors = new ValidationErrors();
        foreach (var dependency in dependencies)
        {
            errors.InvalidFieldWith("cached_dependency", dependency.CollectErrors());
        }

        return errors;
    }
}

public sealed partial class EnvironmentVariable : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors() =>
        Name.Length == 0 ? new ValidationErrors().Add("invalid field: name cannot be blank") : new ValidationErrors();
}

public sealed partial class MetricTagValue : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors()
    {
        var dynamicIsValid = Dynamic is Types.DynamicValue.Index or Types.DynamicValue.InstanceGuid;
        var hasStatic = Static.Length != 0;

        // Exactly one of the two: both set and neither set read the same.
        return hasStatic == dynamicIsValid
            ? new ValidationErrors().InvalidField("static").InvalidField("dynamic")
            : new ValidationErrors();
    }

    /// <summary>NEW's validateMetricTags: each value, and source_id = metrics_guid when a guid is given.</summary>
    internal static ValidationErrors CollectAll(MapField<string, MetricTagValue> tags, string metricsGuid)
    {
        var errors = new ValidationErrors();
        foreach (var value in tags.Values)
        {
            errors.AddAll(value.CollectErrors());
        }

        if (tags.Count > 0 && metricsGuid.Length != 0 &&
            (!tags.TryGetValue("source_id", out var sourceId) || sourceId.Static != metricsGuid))
        {
            errors.InvalidField("source_id should match metrics_guid");
        }

        return errors;
    }
}

public sealed partial class ImageLayer : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors()
    {
        var errors = new ValidationErrors();
        if (Url.Length == 0)
        {
            errors.InvalidField("url");
        }

        if (DestinationPath.Length == 0)
        {
            errors.InvalidField("destination_path");
        }

        if (LayerType is not (Types.Type.Shared or Types.Type.Exclusive))
        {
            errors.InvalidField("layer_type");
        }

        if (MediaType is not (Types.MediaType.Tgz or Types.MediaType.Tar or Types.MediaType.Zip))
        {
            errors.InvalidField("media_type");
        }

        var exclusive = LayerType == Types.Type.Exclusive;
        if ((DigestValue.Length != 0 || exclusive) && DigestAlgorithm == Types.DigestAlgorithm.Invalid)
        {
            errors.InvalidField("digest_algorithm");
        }

        if ((DigestAlgorithm != Types.DigestAlgorithm.Invalid || exclusive) && DigestValue.Length == 0)
        {
            errors.InvalidField("digest_value");
        }

        if (DigestValue.Length != 0 && DigestAlgorithm is not (Types.DigestAlgorithm.Sha256 or Types.DigestAlgorithm.Sha512))
        {
            errors.InvalidField("digest_algorithm");
        }

        return errors;
    }

    /// <summary>Exclusive layers are downloaded as the legacy download user, so they need one.</summary>
    internal static ValidationErrors CollectAll(IReadOnlyList<ImageLayer> layers, string legacyDownloadUser)
    {
        var errors = new ValidationErrors();
        foreach (var layer in layers)
        {
            errors.InvalidFieldWith("image_layer", layer.CollectErrors());
        }

        if (layers.Any(l => l.LayerType == Types.Type.Exclusive) && legacyDownloadUser.Length == 0)
        {
            errors.InvalidField("legacy_download_user");
        }

        return errors;
    }
}

public sealed partial class VolumeMount : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors()
    {
        var errors = new ValidationErrors();
        if (Driver.Length == 0)
        {
            errors.Add("invalid volume_mount driver");
        }

        if (Mode is not ("r" or "rw"))
        {
            errors.Add("invalid volume_mount mode");
        }

        if (Shared is not null && Shared.VolumeId.Length == 0)
        {
            errors.Add("invalid volume_mount volume id");
        }

        return errors;
    }
}

public sealed partial class Check : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    // BBS picks the HTTP check, else the TCP one; with neither set it reads a zero port, so the complaint is
    // about the port, not the missing check.
    internal ValidationErrors CollectErrors()
    {
        var errors = new ValidationErrors();
        if (HttpCheck is not null && TcpCheck is not null)
        {
            return errors.InvalidField("check");
        }

        var port = HttpCheck?.Port ?? TcpCheck?.Port ?? 0;
        return port is > 0 and <= 65535 ? errors : errors.InvalidField("port");
    }
}

public sealed partial class CheckDefinition : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors()
    {
        var errors = new ValidationErrors();
        foreach (var check in Checks.Concat(ReadinessChecks))
        {
            errors.AddAll(check.CollectErrors());
        }

        return errors;
    }
}

public sealed partial class Sidecar : IValidatable
{
    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors()
    {
        var errors = new ValidationErrors();
        if (Action is null)
        {
            errors.Add(ValidationRules.InvalidActionType);
        }
        else
        {
            errors.InvalidFieldWith("action", Action.CollectErrors());
        }

        if (MemoryMb < 0)
        {
            errors.InvalidField("memory_mb");
        }

        if (DiskMb < 0)
        {
            errors.InvalidField("disk_mb");
        }

        return errors;
    }
}
