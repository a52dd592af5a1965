using Bbs.Models;

namespace Bbs.Db.Format;

/// <summary>
/// BBS's envelope: <c>[format][version]</c> then the model. Only <see cref="Proto"/> is written; JSON envelopes
/// and legacy JSON without an envelope are read.
/// </summary>
internal static class Envelope
{
    public const int HeaderSize = 2;

    public const byte LegacyJson = 0;
    public const byte Json = 1;
    public const byte Proto = 2;

    /// <summary>
    /// E16's <c>IsEnveloped</c>: a JSON or PROTO format byte and a known version (0–2). Anything else is legacy JSON,
    /// whose first byte is <c>{</c>.
    /// </summary>
    public static bool IsEnveloped(ReadOnlySpan<byte> payload) =>
        payload.Length >= HeaderSize && payload[0] is Json or Proto && payload[1] <= 2;

    /// <summary>The version byte E16 wrote for each model; other models use 0.</summary>
    public static byte VersionOf<T>() => ModelVersion<T>.Value;

    private static class ModelVersion<T>
    {
        public static readonly byte Value =
            typeof(T) == typeof(DesiredLRP) || typeof(T) == typeof(DesiredLRPRunInfo) || typeof(T) == typeof(Bbs.Models.Task)
                ? (byte)1
                : (byte)0;
    }
}
