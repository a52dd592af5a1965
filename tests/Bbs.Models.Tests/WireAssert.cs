using System.Text;
using Google.Protobuf;

namespace Bbs.Models.Tests;

/// <summary>Golden-byte helpers: expected bytes are written as hex fragments, one per field.</summary>
internal static class WireAssert
{
    /// <summary>
    /// Asserts that <paramref name="message"/> encodes to exactly the concatenated hex fragments, and
    /// that those bytes decode back to an equal message.
    /// </summary>
    public static void Encodes<T>(T message, params string[] hexFragments)
        where T : IMessage<T>, new()
    {
        var expected = Bytes(hexFragments);

        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(message.ToByteArray()));
        Assert.Equal(message, Decode<T>(expected));
    }

    public static T Decode<T>(params string[] hexFragments)
        where T : IMessage<T>, new() => Decode<T>(Bytes(hexFragments));

    public static T Decode<T>(byte[] bytes)
        where T : IMessage<T>, new()
    {
        var message = new T();
        message.MergeFrom(bytes);
        return message;
    }

    public static byte[] Bytes(params string[] hexFragments)
    {
        var hex = new StringBuilder();
        foreach (var fragment in hexFragments)
        {
            foreach (var c in fragment)
            {
                if (!char.IsWhiteSpace(c))
                {
                    hex.Append(c);
                }
            }
        }

        return Convert.FromHexString(hex.ToString());
    }

    /// <summary>The hex of an ASCII string's bytes, for string payloads too long to spell out.</summary>
    public static string Ascii(string text) => Convert.ToHexStringLower(Encoding.ASCII.GetBytes(text));
}
