namespace Bbs.Db.Format;

/// <summary>
/// The 2-byte ASCII prefix of a stored value (BBS's <c>format.Encoding</c>) that says how the envelope behind it
/// is written. Values written without a prefix (legacy JSON) are still read, never written.
/// </summary>
public enum RecordEncoding
{
    /// <summary><c>"00"</c>: the envelope as is. The fastest, for stores that are not encrypted at rest.</summary>
    Unencoded,

    /// <summary><c>"01"</c>: standard padded base64 of the envelope.</summary>
    Base64,

    /// <summary>
    /// <c>"02"</c>: standard padded base64 of <c>[label length][label][12-byte nonce][AES-256-GCM ciphertext + tag]</c>,
    /// what E16 wrote in production (<c>ENCRYPTED_PROTO</c>).
    /// </summary>
    Encrypted,
}
