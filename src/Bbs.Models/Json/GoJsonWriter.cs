using System.Buffers;
using System.Collections;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Bbs.Models.Json;

/// <summary>
/// Writes a model as Diego's Go models write it with <c>encoding/json</c> (what cfdot prints): members in struct order,
/// embedded structs flattened, 64-bit integers as numbers, route values as raw JSON, map keys sorted, and every
/// member without <c>omitempty</c> written even when zero.
/// </summary>
public static class GoJsonWriter
{
    // Go leaves non-ASCII text as UTF-8 and escapes quotes as \"; the relaxed encoder does the same. ("Unsafe" is about
    // embedding the output in HTML, which an application/json answer is not; Go's extra \u003c for '<' is the same JSON.)
    private static readonly JsonWriterOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    /// <summary>The message's JSON as UTF-8 bytes.</summary>
    public static byte[] ToUtf8Bytes(IMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, message);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The message's JSON as a string.</summary>
    public static string ToJson(IMessage message) => Encoding.UTF8.GetString(ToUtf8Bytes(message));

    /// <summary>Writes the message's JSON into <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var writer = new Utf8JsonWriter(output, Options);
        WriteMessage(writer, message);
    }

    /// <summary>Writes the message as one JSON object at the writer's position.</summary>
    public static void WriteMessage(Utf8JsonWriter writer, IMessage message)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(message);
        writer.WriteStartObject();
        WriteMembers(writer, message);
        writer.WriteEndObject();
    }

    private static void WriteMembers(Utf8JsonWriter writer, IMessage message)
    {
        foreach (var member in GoJsonShape.For(message.Descriptor).Members)
        {
            var field = member.Field;
            var spec = member.Spec;
            switch (spec.Kind)
            {
                case GoMemberKind.Embed:
                    WriteMembers(writer, (IMessage?)field.Accessor.GetValue(message) ?? field.MessageType.Parser.ParseFrom(ByteString.Empty));
                    break;
                case GoMemberKind.EmbedPointer:
                    if (field.Accessor.GetValue(message) is IMessage embedded)
                    {
                        WriteMembers(writer, embedded);
                    }

                    break;
                case GoMemberKind.Oneof:
                    writer.WritePropertyName(spec.Name);
                    if (!field.Accessor.HasValue(message))
                    {
                        writer.WriteNullValue();
                        break;
                    }

                    writer.WriteStartObject();
                    var value = field.Accessor.GetValue(message);
                    if (!(spec.InnerOmitEmpty && IsZero(field, value)))
                    {
                        writer.WritePropertyName(spec.Inner!);
                        WriteSingle(writer, field, value);
                    }

                    writer.WriteEndObject();
                    break;
                case GoMemberKind.Optional:
                    if (field.Accessor.HasValue(message))
                    {
                        writer.WritePropertyName(spec.Name);
                        WriteSingle(writer, field, field.Accessor.GetValue(message));
                    }

                    break;
                case GoMemberKind.Extra:
                    break;
                case GoMemberKind.Value:
                    writer.WritePropertyName(spec.Name);
                    WriteMessage(writer, (IMessage?)field.Accessor.GetValue(message) ?? field.MessageType.Parser.ParseFrom(ByteString.Empty));
                    break;
                default:
                    WriteField(writer, message, field, spec);
                    break;
            }
        }
    }

    private static void WriteField(Utf8JsonWriter writer, IMessage message, FieldDescriptor field, GoMember spec)
    {
        var value = field.Accessor.GetValue(message);
        if (field.IsMap)
        {
            var map = (IDictionary)value;
            if (map.Count == 0)
            {
                if (spec.OmitEmpty)
                {
                    return;
                }

                writer.WritePropertyName(spec.Name);
                if (GoJsonShapes.EmptyMapsAsObjects.Contains((message.Descriptor.FullName, field.FieldNumber)))
                {
                    writer.WriteStartObject();
                    writer.WriteEndObject();
                }
                else
                {
                    writer.WriteNullValue();
                }

                return;
            }

            writer.WritePropertyName(spec.Name);
            WriteMap(writer, field, map);
            return;
        }

        if (field.IsRepeated)
        {
            var list = (IList)value;
            if (list.Count == 0)
            {
                // Go's nil slice: what a decoded message holds when the field had no elements.
                if (!spec.OmitEmpty)
                {
                    writer.WritePropertyName(spec.Name);
                    writer.WriteNullValue();
                }

                return;
            }

            writer.WritePropertyName(spec.Name);
            writer.WriteStartArray();
            foreach (var element in list)
            {
                WriteSingle(writer, field, element);
            }

            writer.WriteEndArray();
            return;
        }

        if (field.FieldType == FieldType.Message)
        {
            if (!field.Accessor.HasValue(message))
            {
                if (!spec.OmitEmpty)
                {
                    writer.WritePropertyName(spec.Name);
                    writer.WriteNullValue();
                }

                return;
            }

            writer.WritePropertyName(spec.Name);
            WriteSingle(writer, field, value);
            return;
        }

        if (spec.OmitEmpty && IsZero(field, value))
        {
            return;
        }

        writer.WritePropertyName(spec.Name);
        WriteSingle(writer, field, value);
    }

    private static void WriteMap(Utf8JsonWriter writer, FieldDescriptor field, IDictionary map)
    {
        var valueField = field.MessageType.FindFieldByNumber(2);
        var keys = new List<string>(map.Count);
        foreach (var key in map.Keys)
        {
            keys.Add(Convert.ToString(key, System.Globalization.CultureInfo.InvariantCulture)!);
        }

        // Go's encoding/json sorts map keys.
        keys.Sort(StringComparer.Ordinal);
        writer.WriteStartObject();
        foreach (var key in keys)
        {
            writer.WritePropertyName(key);
            WriteSingle(writer, valueField, map[key]);
        }

        writer.WriteEndObject();
    }

    /// <summary>One value of <paramref name="field"/> (an element, for a repeated or map field).</summary>
    private static void WriteSingle(Utf8JsonWriter writer, FieldDescriptor field, object? value)
    {
        switch (field.FieldType)
        {
            case FieldType.Message when value is ProtoRoutes routes:
                WriteRoutes(writer, routes);
                break;
            case FieldType.Message:
                WriteMessage(writer, (IMessage)value!);
                break;
            case FieldType.String:
                writer.WriteStringValue((string)value!);
                break;
            case FieldType.Bool:
                writer.WriteBooleanValue((bool)value!);
                break;
            case FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32:
                writer.WriteNumberValue((int)value!);
                break;
            case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64:
                writer.WriteNumberValue((long)value!);
                break;
            case FieldType.UInt32 or FieldType.Fixed32:
                writer.WriteNumberValue((uint)value!);
                break;
            case FieldType.UInt64 or FieldType.Fixed64:
                writer.WriteNumberValue((ulong)value!);
                break;
            case FieldType.Double:
                writer.WriteNumberValue((double)value!);
                break;
            case FieldType.Float:
                writer.WriteNumberValue((float)value!);
                break;
            case FieldType.Bytes:
                writer.WriteBase64StringValue(((ByteString)value!).Span);
                break;
            case FieldType.Enum:
                WriteEnum(writer, field.EnumType, (int)value!);
                break;
            default:
                throw new InvalidOperationException($"{field.FullName} has a type Go JSON does not write: {field.FieldType}");
        }
    }

    private static void WriteEnum(Utf8JsonWriter writer, EnumDescriptor type, int number)
    {
        if (!GoJsonShapes.NamedEnums.Contains(type.FullName))
        {
            writer.WriteNumberValue(number);
            return;
        }

        // Go's String() of a value outside the enum is its number in decimal.
        writer.WriteStringValue(type.FindValueByNumber(number)?.Name ?? number.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Routes as Go's <c>models.Routes</c> (<c>map[string]*json.RawMessage</c>) writes them: each value is the JSON the
    /// route's owner stored, written as it is. A value that is not JSON (possible through protobuf, which Go would
    /// fail to marshal) is written as a string rather than failing the whole answer.
    /// </summary>
    private static void WriteRoutes(Utf8JsonWriter writer, ProtoRoutes routes)
    {
        if (routes.Routes.Count == 0)
        {
            writer.WriteNullValue();
            return;
        }

        var keys = routes.Routes.Keys.ToList();
        keys.Sort(StringComparer.Ordinal);
        writer.WriteStartObject();
        foreach (var key in keys)
        {
            writer.WritePropertyName(key);
            var raw = routes.Routes[key].Span;
            if (IsJson(raw))
            {
                writer.WriteRawValue(raw, skipInputValidation: true);
            }
            else
            {
                writer.WriteStringValue(Encoding.UTF8.GetString(raw));
            }
        }

        writer.WriteEndObject();
    }

    private static bool IsJson(ReadOnlySpan<byte> raw)
    {
        if (raw.IsEmpty)
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(raw, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 256 });
            return reader.Read() && reader.TrySkip() && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IsZero(FieldDescriptor field, object? value) => value switch
    {
        null => true,
        string s => s.Length == 0,
        bool b => !b,
        int i => i == 0,
        long l => l == 0,
        uint u => u == 0,
        ulong ul => ul == 0,
        double d => d == 0,
        float f => f == 0,
        ByteString bytes => bytes.IsEmpty,
        Enum e => Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture) == 0,
        _ => field.FieldType == FieldType.Enum && Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) == 0,
    };
}
