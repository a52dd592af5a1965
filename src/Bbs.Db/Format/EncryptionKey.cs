using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Bbs.Db.Format;

/// <summary>
/// A labelled AES-256 key (BBS's <c>encryption.Key</c>): the key is SHA-256 of the UTF-8 passphrase, the label is
/// written in front of every value it encrypts. The passphrase is not kept, and <see cref="ToString"/> shows only the label.
/// </summary>
public sealed class EncryptionKey
{
    /// <summary>Labels are written behind a one-byte length; BBS caps them at 127 bytes.</summary>
    public const int MaxLabelBytes = 127;

    private readonly byte[] key;

    /// <exception cref="ArgumentException">The label is empty or longer than 127 UTF-8 bytes.</exception>
    public EncryptionKey(string label, string passphrase)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(passphrase);
        if (LabelError(label) is { } error)
        {
            throw new ArgumentException(error, nameof(label));
        }

        Label = label;
        LabelBytes = Encoding.UTF8.GetBytes(label);
        key = SHA256.HashData(Encoding.UTF8.GetBytes(passphrase));
    }

    public string Label { get; }

    internal byte[] LabelBytes { get; }

    internal ReadOnlySpan<byte> Key => key;

    /// <summary>
    /// Parses BBS's <c>-encryptionKey</c> form <c>label:passphrase</c>; the passphrase is everything after the
    /// first colon and may itself contain colons (Go's <c>strings.SplitN(key, ":", 2)</c>).
    /// </summary>
    /// <exception cref="FormatException">There is no colon, the label is empty, or it is longer than 127 bytes.</exception>
    public static EncryptionKey Parse(string labelAndPassphrase) =>
        TryParse(labelAndPassphrase, out var key, out var error) ? key : throw new FormatException(error);

    /// <summary>Like <see cref="Parse"/>, with the reason in <paramref name="error"/> instead of an exception.</summary>
    public static bool TryParse(string? labelAndPassphrase, [NotNullWhen(true)] out EncryptionKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        var colon = labelAndPassphrase?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon < 0)
        {
            error = "could not parse encryption key: expected label:passphrase";
            return false;
        }

        var label = labelAndPassphrase![..colon];
        error = LabelError(label);
        if (error is not null)
        {
            return false;
        }

        key = new EncryptionKey(label, labelAndPassphrase[(colon + 1)..]);
        return true;
    }

    public override string ToString() => Label;

    private static string? LabelError(string label) =>
        label.Length == 0 ? "a key label is required"
        : Encoding.UTF8.GetByteCount(label) > MaxLabelBytes ? $"key label '{label}' is longer than {MaxLabelBytes} bytes"
        : null;
}
