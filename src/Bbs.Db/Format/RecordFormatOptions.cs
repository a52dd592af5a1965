using System.ComponentModel;
using Microsoft.Extensions.Configuration;

namespace Bbs.Db.Format;

/// <summary>
/// How records are written and which keys can read them. Keys follow E16's flags: <c>-encryptionKey label:passphrase</c>
/// (repeatable) and <c>-activeKeyLabel</c>. <see cref="Validate"/> lists what is wrong.
/// </summary>
public sealed class RecordFormatOptions
{
    /// <summary>Every key that may have written a stored value, each as <c>label:passphrase</c>.</summary>
    [Description("label:passphrase keys (a list) for encryption at rest")]
    [ConfigurationKeyName("encryption_keys")]
    public List<string> EncryptionKeys { get; set; } = [];

    /// <summary>The label of the key new values are encrypted with; required when keys are given.</summary>
    [Description("label of the key new records are encrypted with")]
    [ConfigurationKeyName("active_key_label")]
    public string? ActiveKeyLabel { get; set; }

    /// <summary>
    /// The encoding of written values. Unset means <see cref="RecordEncoding.Encrypted"/> when keys are given
    /// (E16's <c>ENCRYPTED_PROTO</c>), otherwise <see cref="RecordEncoding.Unencoded"/>. Every encoding is read regardless.
    /// </summary>
    [Description("encoding of written records: unencoded, base64 or encrypted (default: encrypted when keys are given)")]
    [ConfigurationKeyName("record_encoding")]
    public RecordEncoding? WriteEncoding { get; set; }

    /// <summary>
    /// Validate models before writing and after reading, as E16's format package did; an invalid model is an
    /// InvalidRecord. Off only for tools and tests that must write or inspect invalid records.
    /// </summary>
    [Description("validate models before writing and after reading")]
    [ConfigurationKeyName("validate_records")]
    public bool ValidateRecords { get; set; } = true;

    /// <summary>The encoding written once defaults are applied.</summary>
    public RecordEncoding EffectiveWriteEncoding =>
        WriteEncoding ?? (EncryptionKeys.Count > 0 ? RecordEncoding.Encrypted : RecordEncoding.Unencoded);

    /// <summary>The problems that make these options unusable; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var labels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in EncryptionKeys)
        {
            if (!EncryptionKey.TryParse(entry, out var key, out var error))
            {
                errors.Add("encryption_keys: " + error);
            }
            else if (!labels.Add(key.Label))
            {
                errors.Add($"encryption_keys: multiple keys with the label '{key.Label}'");
            }
        }

        if (ActiveKeyLabel is not null && !labels.Contains(ActiveKeyLabel))
        {
            errors.Add($"active_key_label: '{ActiveKeyLabel}' must be one of the labels in encryption_keys");
        }
        else if (ActiveKeyLabel is null && EncryptionKeys.Count > 0)
        {
            errors.Add("active_key_label: must select an active encryption key when encryption_keys are given");
        }

        if (EffectiveWriteEncoding == RecordEncoding.Encrypted && EncryptionKeys.Count == 0)
        {
            errors.Add("record_encoding: Encrypted needs encryption_keys and active_key_label");
        }

        if (WriteEncoding is { } encoding && !Enum.IsDefined(encoding))
        {
            errors.Add($"record_encoding: unknown encoding {encoding}");
        }

        return errors;
    }
}
