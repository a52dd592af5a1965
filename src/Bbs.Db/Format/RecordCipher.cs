using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Bbs.Db.Format;

/// <summary>
/// The <c>"02"</c> layer: seals with the active key and opens with any configured key. Sealed bytes are
/// <c>[label length][label][12-byte nonce][ciphertext][16-byte tag]</c>, no associated data (BBS's
/// <c>encoder.encrypt</c> with Go's <c>aead.Seal</c>, which appends the tag).
/// </summary>
internal sealed class RecordCipher
{
    public const int NonceSize = 12;
    public const int TagSize = 16;

    private readonly KeySlot[] slots;
    private readonly KeySlot active;

    public RecordCipher(IReadOnlyList<EncryptionKey> keys, string activeLabel)
    {
        slots = [.. keys.Select(k => new KeySlot(k))];
        active = slots.Single(s => s.Key.Label == activeLabel);
    }

    public string ActiveLabel => active.Key.Label;

    /// <summary>True when <paramref name="label"/> (UTF-8) is one of the configured keys.</summary>
    public bool Knows(ReadOnlySpan<byte> label) => Find(label) is not null;

    /// <summary>True when <paramref name="label"/> (UTF-8) is the active key's.</summary>
    public bool IsActive(ReadOnlySpan<byte> label) => label.SequenceEqual(active.Key.LabelBytes);

    public int SealedLength(int plaintextLength) => 1 + active.Key.LabelBytes.Length + NonceSize + plaintextLength + TagSize;

    /// <summary>Encrypts <paramref name="plaintext"/> into exactly <see cref="SealedLength"/> bytes of <paramref name="destination"/>.</summary>
    public void Seal(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        var label = active.Key.LabelBytes;
        destination[0] = (byte)label.Length;
        label.CopyTo(destination[1..]);
        var nonce = destination.Slice(1 + label.Length, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        var ciphertext = destination.Slice(1 + label.Length + NonceSize, plaintext.Length);
        var tag = destination.Slice(1 + label.Length + NonceSize + plaintext.Length, TagSize);

        var aes = active.Rent();
        try
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag);
        }
        finally
        {
            active.Return(aes);
        }
    }

    /// <summary>The plaintext length of sealed bytes, after checking they can hold their label, nonce and tag.</summary>
    public static int OpenedLength(ReadOnlySpan<byte> sealedBytes)
    {
        var length = sealedBytes.Length - 1 - NonceSize - TagSize - (sealedBytes.IsEmpty ? 0 : sealedBytes[0]);
        return sealedBytes.IsEmpty || length < 0
            ? throw new RecordFormatException(RecordFormatFailure.MalformedCiphertext, $"encrypted value of {sealedBytes.Length} bytes is too short for its label, nonce and tag")
            : length;
    }

    /// <summary>Decrypts into exactly <see cref="OpenedLength"/> bytes of <paramref name="destination"/>.</summary>
    public void Open(ReadOnlySpan<byte> sealedBytes, Span<byte> destination)
    {
        var length = OpenedLength(sealedBytes);
        var label = sealedBytes.Slice(1, sealedBytes[0]);
        var slot = Find(label) ?? throw new RecordFormatException(
            RecordFormatFailure.UnknownKeyLabel, $"Key with label \"{System.Text.Encoding.UTF8.GetString(label)}\" was not found") { KeyLabel = System.Text.Encoding.UTF8.GetString(label) };
        var nonce = sealedBytes.Slice(1 + label.Length, NonceSize);
        var ciphertext = sealedBytes.Slice(1 + label.Length + NonceSize, length);
        var tag = sealedBytes[^TagSize..];

        var aes = slot.Rent();
        try
        {
            aes.Decrypt(nonce, ciphertext, tag, destination[..length]);
        }
        catch (CryptographicException e)
        {
            throw new RecordFormatException(RecordFormatFailure.DecryptionFailed, $"could not decrypt value with key \"{slot.Key.Label}\": {e.Message}", e) { KeyLabel = slot.Key.Label };
        }
        finally
        {
            slot.Return(aes);
        }
    }

    /// <summary>Opening without any configured key: every label is unknown.</summary>
    public static RecordFormatException NoKeys(ReadOnlySpan<byte> sealedBytes)
    {
        OpenedLength(sealedBytes);
        var label = System.Text.Encoding.UTF8.GetString(sealedBytes.Slice(1, sealedBytes[0]));
        return new RecordFormatException(RecordFormatFailure.UnknownKeyLabel, $"Key with label \"{label}\" was not found: no encryption keys are configured") { KeyLabel = label };
    }

    // A handful of keys at most: a linear scan over bytes beats hashing a decoded string.
    private KeySlot? Find(ReadOnlySpan<byte> label)
    {
        foreach (var slot in slots)
        {
            if (label.SequenceEqual(slot.Key.LabelBytes))
            {
                return slot;
            }
        }

        return null;
    }

    /// <summary>
    /// AesGcm instances are not safe for concurrent use, and building one expands the key; each key keeps a small
    /// pool that grows to the number of concurrent callers. Instances live as long as the process's serializer.
    /// </summary>
    private sealed class KeySlot(EncryptionKey key)
    {
        private readonly ConcurrentBag<AesGcm> pool = [];

        public EncryptionKey Key { get; } = key;

        public AesGcm Rent() => pool.TryTake(out var aes) ? aes : new AesGcm(Key.Key, TagSize);

        public void Return(AesGcm aes) => pool.Add(aes);
    }
}
