using Bbs.Models;

namespace Bbs.Db.Format;

/// <summary>Why a stored value could not be written or read.</summary>
public enum RecordFormatFailure
{
    /// <summary>The value starts with an ASCII digit pair other than <c>00</c>, <c>01</c> or <c>02</c>.</summary>
    UnknownEncoding,

    /// <summary>The text after a <c>01</c> or <c>02</c> prefix is not standard padded base64.</summary>
    MalformedBase64,

    /// <summary>The bytes of a <c>02</c> value are too short for their label, nonce and tag.</summary>
    MalformedCiphertext,

    /// <summary>A <c>02</c> value names a key label that is not configured (or no keys are configured).</summary>
    UnknownKeyLabel,

    /// <summary>AES-GCM authentication failed: wrong passphrase for the label, or the value was altered.</summary>
    DecryptionFailed,

    /// <summary>The envelope opened, but its protobuf or JSON payload does not parse as the model.</summary>
    MalformedPayload,

    /// <summary>The model parsed (or is about to be written) but fails BBS's validation.</summary>
    InvalidRecord,
}

/// <summary>
/// A stored value that cannot be read, or a model that may not be written. <see cref="Error"/> is what BBS answers:
/// FailedToOpenEnvelope ("could not open envelope") when the encoding or encryption layer fails, InvalidRecord with
/// the parser's or validator's text when the envelope's payload is bad (E16's <c>deserializeModel</c>).
/// </summary>
public sealed class RecordFormatException : Exception
{
    public RecordFormatException(RecordFormatFailure failure, string message)
        : this(failure, message, null)
    {
    }

    public RecordFormatException(RecordFormatFailure failure, string message, Exception? innerException)
        : base(message, innerException)
    {
        Failure = failure;
    }

    public RecordFormatFailure Failure { get; }

    /// <summary>The key label the value names, for <see cref="RecordFormatFailure.UnknownKeyLabel"/> and <see cref="RecordFormatFailure.DecryptionFailed"/>.</summary>
    public string? KeyLabel { get; init; }

    /// <summary>
    /// True when the value is sealed with a key this process cannot use (its label is not configured, or its
    /// passphrase differs): the record is intact and readable again once the right key is configured, so it must
    /// never be pruned or look absent.
    /// </summary>
    public bool IsKeyFailure => Failure is RecordFormatFailure.UnknownKeyLabel or RecordFormatFailure.DecryptionFailed;

    /// <summary>
    /// The BBS error for the stored record at <paramref name="key"/>: the same type as <see cref="Error"/>, with a
    /// message that names the record and, for a key failure, the key label, so an operator can tell an unreadable
    /// record from a missing one.
    /// </summary>
    public Error ErrorFor(string key) => Failure switch
    {
        RecordFormatFailure.UnknownKeyLabel => BbsErrors.New(
            Error.Types.Type.FailedToOpenEnvelope, $"record {key} is sealed with key '{KeyLabel}', which is not configured (encryption_keys)"),
        RecordFormatFailure.DecryptionFailed => BbsErrors.New(
            Error.Types.Type.FailedToOpenEnvelope, $"record {key} does not decrypt with the configured key '{KeyLabel}' (another passphrase, or an altered value)"),
        RecordFormatFailure.MalformedPayload or RecordFormatFailure.InvalidRecord => BbsErrors.New(Error.Types.Type.InvalidRecord, $"record {key} is invalid: {Message}"),
        _ => BbsErrors.New(Error.Types.Type.FailedToOpenEnvelope, $"record {key} could not be opened: {Message}"),
    };

    /// <summary>A new BBS error for this failure, ready to put in a response.</summary>
    public Error Error => Failure switch
    {
        RecordFormatFailure.MalformedPayload or RecordFormatFailure.InvalidRecord => BbsErrors.New(Error.Types.Type.InvalidRecord, Message),
        _ => BbsErrors.FailedToOpenEnvelope,
    };
}
