using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Bbs.Models.Validation;
using Google.Protobuf;

namespace Bbs.Db.Format;

/// <summary>
/// Turns models into etcd values and back, in E16's stored-record format: a 2-byte ASCII encoding prefix
/// (<c>00</c> plain, <c>01</c> base64, <c>02</c> base64 of AES-256-GCM) in front of the envelope
/// <c>[2 = PROTO][model version]</c> + protobuf. Reads every form E15/E16 ever wrote, including JSON envelopes and
/// unprefixed legacy JSON. Thread-safe; one instance serves the process.
/// </summary>
public sealed class RecordSerializer
{
    private static readonly JsonParser JsonParser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    private readonly RecordCipher? cipher;
    private readonly bool validate;

    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public RecordSerializer(RecordFormatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid record format options: " + string.Join("; ", errors), nameof(options));
        }

        WriteEncoding = options.EffectiveWriteEncoding;
        validate = options.ValidateRecords;
        if (options.EncryptionKeys.Count > 0)
        {
            cipher = new RecordCipher([.. options.EncryptionKeys.Select(EncryptionKey.Parse)], options.ActiveKeyLabel!);
        }
    }

    /// <summary>The encoding <see cref="Serialize{T}"/> and <see cref="Reencode"/> write.</summary>
    public RecordEncoding WriteEncoding { get; }

    /// <summary>The label new values are encrypted under, or null when no keys are configured.</summary>
    public string? ActiveKeyLabel => cipher?.ActiveLabel;

    /// <summary>
    /// The stored value of <paramref name="model"/>: <see cref="WriteEncoding"/> of a PROTO envelope with the model's
    /// version (1 for DesiredLRP, DesiredLRPRunInfo and Task, otherwise 0).
    /// </summary>
    /// <exception cref="RecordFormatException">InvalidRecord: the model fails validation.</exception>
    public byte[] Serialize<T>(T model)
        where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        if (validate && model is IValidatable validatable && validatable.Validate() is { } problems)
        {
            throw new RecordFormatException(RecordFormatFailure.InvalidRecord, problems);
        }

        var envelopeLength = Envelope.HeaderSize + model.CalculateSize();
        if (WriteEncoding == RecordEncoding.Unencoded)
        {
            var value = new byte[Prefix.Size + envelopeLength];
            WriteEnvelope(model, Envelope.VersionOf<T>(), value.AsSpan(Prefix.Size));
            Prefix.Unencoded.CopyTo(value);
            return value;
        }

        var envelope = ArrayPool<byte>.Shared.Rent(envelopeLength);
        try
        {
            WriteEnvelope(model, Envelope.VersionOf<T>(), envelope.AsSpan(0, envelopeLength));
            return Encode(envelope.AsSpan(0, envelopeLength));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(envelope, clearArray: WriteEncoding == RecordEncoding.Encrypted);
        }
    }

    /// <summary>Reads a stored value written in any E15/E16 form.</summary>
    /// <exception cref="RecordFormatException">
    /// The value cannot be decoded or decrypted (FailedToOpenEnvelope), or its payload does not parse or validate
    /// (InvalidRecord). No other exception escapes.
    /// </exception>
    public T Deserialize<T>(ReadOnlySpan<byte> value)
        where T : IMessage<T>, new()
    {
        using var payload = Decode(value);
        var model = OpenEnvelope<T>(payload.Span);
        if (validate && model is IValidatable validatable && validatable.Validate() is { } problems)
        {
            throw new RecordFormatException(RecordFormatFailure.InvalidRecord, problems);
        }

        return model;
    }

    /// <summary>
    /// The stored value re-written in <see cref="WriteEncoding"/> (and under the active key) without parsing the
    /// model inside, for rotating encryption keys as E16's encryptor did.
    /// </summary>
    /// <exception cref="RecordFormatException">FailedToOpenEnvelope: the value cannot be decoded or decrypted.</exception>
    public byte[] Reencode(ReadOnlySpan<byte> value)
    {
        using var payload = Decode(value);
        if (WriteEncoding != RecordEncoding.Unencoded)
        {
            return Encode(payload.Span);
        }

        var result = new byte[Prefix.Size + payload.Span.Length];
        Prefix.Unencoded.CopyTo(result);
        payload.Span.CopyTo(result.AsSpan(Prefix.Size));
        return result;
    }

    /// <summary>
    /// The protobuf payload of a value stored unencoded in a PROTO envelope (<c>00</c>, then format 2): a slice of
    /// <paramref name="value"/>, nothing copied. False for every other form (base64, encrypted, JSON), which only
    /// <see cref="Deserialize{T}"/> reads.
    /// </summary>
    public static bool TryProtoPayload(ReadOnlyMemory<byte> value, out ReadOnlyMemory<byte> payload)
    {
        var span = value.Span;
        if (span.Length >= Prefix.Size && span[..Prefix.Size].SequenceEqual(Prefix.Unencoded)
            && Envelope.IsEnveloped(span[Prefix.Size..]) && span[Prefix.Size] == Envelope.Proto)
        {
            payload = value[(Prefix.Size + Envelope.HeaderSize)..];
            return true;
        }

        payload = default;
        return false;
    }

    /// <summary>
    /// The key label an encrypted (<c>02</c>) value is sealed with, read from its first base64 characters without
    /// decrypting; null for a value in any other form, or one too damaged to name a label.
    /// </summary>
    public static string? SealedLabel(ReadOnlySpan<byte> value)
    {
        Span<byte> label = stackalloc byte[EncryptionKey.MaxLabelBytes + 3];
        return TrySealedLabel(value, label, out var length) ? Encoding.UTF8.GetString(label[..length]) : null;
    }

    /// <summary>
    /// True when the value is sealed with a key label that is not configured here: it cannot be read until that key
    /// is configured again. Checked from the label alone, without decrypting.
    /// </summary>
    public bool IsSealedWithUnknownKey(ReadOnlySpan<byte> value)
    {
        Span<byte> label = stackalloc byte[EncryptionKey.MaxLabelBytes + 3];
        return TrySealedLabel(value, label, out var length) && (cipher is null || !cipher.Knows(label[..length]));
    }

    /// <summary>
    /// True when encryption keys are configured and the value is not sealed under the active one (an older key, or
    /// written before encryption was turned on): key rotation re-seals it with <see cref="Reencode"/>. Without keys
    /// nothing is stale. Checked from the prefix and label alone.
    /// </summary>
    public bool IsStale(ReadOnlySpan<byte> value)
    {
        if (cipher is null || WriteEncoding != RecordEncoding.Encrypted)
        {
            return false;
        }

        Span<byte> label = stackalloc byte[EncryptionKey.MaxLabelBytes + 3];
        return !TrySealedLabel(value, label, out var length) || !cipher.IsActive(label[..length]);
    }

    /// <summary>Decodes just enough base64 of a <c>02</c> value to read <c>[label length][label]</c>.</summary>
    private static bool TrySealedLabel(ReadOnlySpan<byte> value, Span<byte> buffer, out int length)
    {
        length = 0;
        if (value.Length < Prefix.Size + 4 || !value[..Prefix.Size].SequenceEqual(Prefix.Encrypted))
        {
            return false;
        }

        var text = value[Prefix.Size..];
        if (Base64.DecodeFromUtf8(text[..4], buffer, out _, out _, isFinalBlock: false) != OperationStatus.Done)
        {
            return false;
        }

        length = buffer[0];
        var chars = (1 + length + 2) / 3 * 4;
        if (length == 0 || length > EncryptionKey.MaxLabelBytes || text.Length < chars
            || Base64.DecodeFromUtf8(text[..chars], buffer, out _, out var written, isFinalBlock: false) is not (OperationStatus.Done or OperationStatus.NeedMoreData)
            || written < 1 + length)
        {
            length = 0;
            return false;
        }

        buffer.Slice(1, length).CopyTo(buffer);
        return true;
    }

    private static void WriteEnvelope<T>(T model, byte version, Span<byte> destination)
        where T : IMessage<T>
    {
        destination[0] = Envelope.Proto;
        destination[1] = version;
        model.WriteTo(destination[Envelope.HeaderSize..]);
    }

    /// <summary>Base64 (optionally of sealed bytes) behind its prefix, for the two encodings that need it.</summary>
    private byte[] Encode(ReadOnlySpan<byte> envelope)
    {
        if (WriteEncoding == RecordEncoding.Base64)
        {
            return Base64Value(Prefix.Base64, envelope);
        }

        var sealedLength = cipher!.SealedLength(envelope.Length);
        var sealedBytes = ArrayPool<byte>.Shared.Rent(sealedLength);
        try
        {
            cipher.Seal(envelope, sealedBytes.AsSpan(0, sealedLength));
            return Base64Value(Prefix.Encrypted, sealedBytes.AsSpan(0, sealedLength));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sealedBytes);
        }
    }

    private static byte[] Base64Value(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> bytes)
    {
        var value = new byte[Prefix.Size + Base64.GetMaxEncodedToUtf8Length(bytes.Length)];
        prefix.CopyTo(value);
        Base64.EncodeToUtf8(bytes, value.AsSpan(Prefix.Size), out _, out _);
        return value;
    }

    /// <summary>BBS's <c>encoder.Decode</c>: strips the prefix, base64 and encryption, leaving the envelope.</summary>
    private DecodedPayload Decode(ReadOnlySpan<byte> value)
    {
        // Go's isEncoded: shorter than the prefix, or not starting with a digit, means legacy unencoded JSON.
        if (value.Length < Prefix.Size || !char.IsAsciiDigit((char)value[0]))
        {
            return new DecodedPayload(value);
        }

        var prefix = value[..Prefix.Size];
        var body = value[Prefix.Size..];
        if (prefix.SequenceEqual(Prefix.Unencoded))
        {
            return new DecodedPayload(body);
        }

        if (prefix.SequenceEqual(Prefix.Base64))
        {
            return DecodeBase64(body);
        }

        if (!prefix.SequenceEqual(Prefix.Encrypted))
        {
            throw new RecordFormatException(RecordFormatFailure.UnknownEncoding, $"Unknown encoding: \"{Encoding.ASCII.GetString(prefix)}\"");
        }

        using var sealedBytes = DecodeBase64(body);
        if (cipher is null)
        {
            throw RecordCipher.NoKeys(sealedBytes.Span);
        }

        var length = RecordCipher.OpenedLength(sealedBytes.Span);
        var plaintext = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            cipher.Open(sealedBytes.Span, plaintext);
            return new DecodedPayload(plaintext, length, clear: true);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(plaintext, clearArray: true);
            throw;
        }
    }

    private static DecodedPayload DecodeBase64(ReadOnlySpan<byte> text)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, Base64.GetMaxDecodedFromUtf8Length(text.Length)));
        var status = Base64.DecodeFromUtf8(text, buffer, out var consumed, out var written);
        if (status != OperationStatus.Done || consumed != text.Length)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new RecordFormatException(RecordFormatFailure.MalformedBase64, $"illegal base64 data at input byte {consumed}");
        }

        return new DecodedPayload(buffer, written, clear: false);
    }

    /// <summary>E16's <c>UnmarshalEnvelope</c>, without the version migration (no E16 model needed one).</summary>
    private static T OpenEnvelope<T>(ReadOnlySpan<byte> payload)
        where T : IMessage<T>, new()
    {
        try
        {
            if (!Envelope.IsEnveloped(payload))
            {
                return ParseJson<T>(payload);
            }

            if (payload[0] == Envelope.Json)
            {
                return ParseJson<T>(payload[Envelope.HeaderSize..]);
            }

            var model = new T();
            model.MergeFrom(payload[Envelope.HeaderSize..]);
            return model;
        }
        catch (Exception e)
        {
            throw new RecordFormatException(RecordFormatFailure.MalformedPayload, e.Message, e);
        }
    }

    private static T ParseJson<T>(ReadOnlySpan<byte> json)
        where T : IMessage<T>, new() =>
        JsonParser.Parse<T>(Encoding.UTF8.GetString(json));

    private static class Prefix
    {
        public const int Size = 2;

        public static ReadOnlySpan<byte> Unencoded => "00"u8;

        public static ReadOnlySpan<byte> Base64 => "01"u8;

        public static ReadOnlySpan<byte> Encrypted => "02"u8;
    }

    /// <summary>The envelope bytes: a slice of the caller's value, or a pooled buffer returned on dispose.</summary>
    private readonly ref struct DecodedPayload
    {
        private readonly byte[]? rented;
        private readonly bool clear;

        public DecodedPayload(ReadOnlySpan<byte> span) => Span = span;

        public DecodedPayload(byte[] rented, int length, bool clear)
        {
            this.rented = rented;
            this.clear = clear;
            Span = rented.AsSpan(0, length);
        }

        public ReadOnlySpan<byte> Span { get; }

        public void Dispose()
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented, clear);
            }
        }
    }
}
