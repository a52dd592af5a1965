using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Bbs.Models.Json;

/// <summary>What <see cref="GoJsonReader.Read{T}"/> made of a body.</summary>
/// <param name="Message">The message, or null when <see cref="Error"/> is set.</param>
/// <param name="Error">What is wrong with the body, naming the member and what was expected.</param>
/// <param name="Deprecated">The first use of this server's earlier proto3 form, when the body used it; null otherwise.</param>
public sealed record GoJsonResult<T>(T? Message, string? Error, string? Deprecated);

/// <summary>
/// Reads a model from Diego's JSON form (what cfdot prints and accepts), strictly: an unknown member, a value of the
/// wrong type and malformed JSON are errors that say where and what. For one deprecation cycle it also reads the
/// proto3 form this server used before (nested keys, <c>run_action</c>, 64-bit integers as strings, base64 routes),
/// and reports the first such use so the caller can warn.
/// </summary>
public static class GoJsonReader
{
    private const int MaxDepth = 256;

    public static GoJsonResult<T> Read<T>(in ReadOnlySequence<byte> body)
        where T : class, IMessage<T>, new()
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException) when (IsEmpty(body))
        {
            // No body at all: the empty message, as an empty protobuf body is (then validation names what is missing).
            return new GoJsonResult<T>(new T(), null, null);
        }
        catch (JsonException ex)
        {
            return new GoJsonResult<T>(null, SyntaxError(ex), null);
        }

        using (document)
        {
            var message = new T();
            var context = new Context();
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new GoJsonResult<T>(null, $"the request body must be a JSON object ({message.Descriptor.Name}), not {Describe(root.ValueKind)}", null);
            }

            try
            {
                ReadObject(root, message, path: string.Empty, context);
            }
            catch (GoJsonException ex)
            {
                return new GoJsonResult<T>(null, ex.Message, null);
            }

            return new GoJsonResult<T>(message, null, context.Deprecated);
        }
    }

    private static bool IsEmpty(in ReadOnlySequence<byte> body)
    {
        foreach (var segment in body)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static string SyntaxError(JsonException ex)
    {
        var reason = ex.Message;
        var cut = reason.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        reason = cut > 0 ? reason[..cut].TrimEnd() : reason;
        if (reason.StartsWith("Expected depth to be zero", StringComparison.Ordinal))
        {
            reason = "the body ends before an object or array is closed";
        }

        return ex.LineNumber is { } line && ex.BytePositionInLine is { } column
            ? $"invalid JSON at line {line + 1}, column {column + 1}: {reason}"
            : $"invalid JSON: {reason}";
    }

    private static void ReadObject(JsonElement element, IMessage message, string path, Context context)
    {
        var shape = GoJsonShape.For(message.Descriptor);
        foreach (var property in element.EnumerateObject())
        {
            var memberPath = Join(path, property.Name);
            if (!shape.TryFindInput(property.Name, out var input))
            {
                throw new GoJsonException(UnknownMember(memberPath, property.Name, shape));
            }

            if (input.Deprecated)
            {
                context.Deprecate($"{memberPath} (use {Suggest(property.Name, shape, input.Field) ?? "Diego's form"})");
            }

            var target = message;
            foreach (var embedded in input.Path)
            {
                target = Embedded(target, embedded);
            }

            if (input.Kind == GoJsonInputKind.Oneof)
            {
                ReadOneofWrapper(property.Value, target, input, memberPath, context);
            }
            else
            {
                ReadField(property.Value, target, input.Field, memberPath, context);
            }
        }
    }

    /// <summary>The embedded message of <paramref name="field"/> on <paramref name="message"/>, created when unset.</summary>
    private static IMessage Embedded(IMessage message, FieldDescriptor field)
    {
        if (field.Accessor.GetValue(message) is IMessage existing)
        {
            return existing;
        }

        var created = field.MessageType.Parser.ParseFrom(ByteString.Empty);
        field.Accessor.SetValue(message, created);
        return created;
    }

    private static void ReadOneofWrapper(JsonElement value, IMessage message, GoJsonInput input, string path, Context context)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new GoJsonException($"{path}: expected an object like {{\"{input.Inner}\": …}} or null, got {Describe(value.ValueKind)}");
        }

        // The wrapper is present: the member is set, false or zero unless the wrapper says otherwise.
        input.Field.Accessor.SetValue(message, DefaultOf(input.Field));
        foreach (var property in value.EnumerateObject())
        {
            if (!property.Name.Equals(input.Inner, StringComparison.OrdinalIgnoreCase))
            {
                var suggestion = NearestName.Find(property.Name, [input.Inner!]) is { } near ? $", did you mean \"{near}\"?" : string.Empty;
                throw new GoJsonException($"{Join(path, property.Name)}: unknown field{suggestion}");
            }

            ReadField(property.Value, message, input.Field, Join(path, property.Name), context);
        }
    }

    private static void ReadField(JsonElement value, IMessage message, FieldDescriptor field, string path, Context context)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            // As Go: null leaves the member as it is.
            return;
        }

        if (field.IsMap)
        {
            ReadMap(value, (IDictionary)field.Accessor.GetValue(message), field, path, context);
            return;
        }

        if (field.IsRepeated)
        {
            if (value.ValueKind != JsonValueKind.Array)
            {
                throw new GoJsonException($"{path}: expected an array, got {Describe(value.ValueKind)}");
            }

            // As Go: a member met twice keeps the last array.
            var list = (IList)field.Accessor.GetValue(message);
            list.Clear();
            var index = 0;
            foreach (var element in value.EnumerateArray())
            {
                var elementPath = $"{path}[{index++}]";
                if (element.ValueKind == JsonValueKind.Null)
                {
                    throw new GoJsonException($"{elementPath}: expected {Expected(field)}, got null");
                }

                list.Add(ReadSingle(element, field, elementPath, context));
            }

            return;
        }

        if (field.FieldType == FieldType.Message && field.Accessor.GetValue(message) is IMessage existing && field.MessageType.ClrType != typeof(ProtoRoutes))
        {
            // A member met twice (flattened and nested): merge into what is there, as Go fills one struct.
            ReadMessageValue(value, existing, path, context);
            return;
        }

        field.Accessor.SetValue(message, ReadSingle(value, field, path, context));
    }

    private static void ReadMap(JsonElement value, IDictionary map, FieldDescriptor field, string path, Context context)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new GoJsonException($"{path}: expected an object, got {Describe(value.ValueKind)}");
        }

        var keyField = field.MessageType.FindFieldByNumber(1);
        var valueField = field.MessageType.FindFieldByNumber(2);
        if (keyField.FieldType != FieldType.String)
        {
            throw new InvalidOperationException($"{field.FullName}: only string map keys have a Go JSON form");
        }

        foreach (var property in value.EnumerateObject())
        {
            var entryPath = Join(path, property.Name);
            if (property.Value.ValueKind == JsonValueKind.Null && valueField.FieldType != FieldType.Message)
            {
                throw new GoJsonException($"{entryPath}: expected {Expected(valueField)}, got null");
            }

            map[property.Name] = property.Value.ValueKind == JsonValueKind.Null
                ? valueField.MessageType.Parser.ParseFrom(ByteString.Empty)
                : ReadSingle(property.Value, valueField, entryPath, context);
        }
    }

    private static object ReadSingle(JsonElement value, FieldDescriptor field, string path, Context context)
    {
        switch (field.FieldType)
        {
            case FieldType.Message when field.MessageType.ClrType == typeof(ProtoRoutes):
                return ReadRoutes(value, path, context);
            case FieldType.Message:
                var message = field.MessageType.Parser.ParseFrom(ByteString.Empty);
                ReadMessageValue(value, message, path, context);
                return message;
            case FieldType.String:
                return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw WrongType(path, field, value);
            case FieldType.Bool:
                return value.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw WrongType(path, field, value),
                };
            case FieldType.Bytes:
                return value.ValueKind == JsonValueKind.String && value.TryGetBytesFromBase64(out var bytes)
                    ? ByteString.CopyFrom(bytes)
                    : throw new GoJsonException($"{path}: expected a base64 string, got {Describe(value.ValueKind)}");
            case FieldType.Enum:
                return ReadEnum(value, field, path, context);
            default:
                return ReadNumber(value, field, path, context);
        }
    }

    private static void ReadMessageValue(JsonElement value, IMessage message, string path, Context context)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new GoJsonException($"{path}: expected an object ({message.Descriptor.Name}), got {Describe(value.ValueKind)}");
        }

        ReadObject(value, message, path, context);
    }

    private static object ReadNumber(JsonElement value, FieldDescriptor field, string path, Context context)
    {
        var text = value.ValueKind switch
        {
            JsonValueKind.Number => value.GetRawText(),
            // proto3's form of 64-bit integers (and accepted for any integer by Google.Protobuf's parser).
            JsonValueKind.String => value.GetString()!,
            _ => throw WrongType(path, field, value),
        };
        object? number = field.FieldType switch
        {
            FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) ? i : null,
            FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? l : null,
            FieldType.UInt32 or FieldType.Fixed32 => uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var u) ? u : null,
            FieldType.UInt64 or FieldType.Fixed64 => ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ul) ? ul : null,
            FieldType.Double => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null,
            FieldType.Float => float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) ? f : null,
            _ => throw new InvalidOperationException($"{field.FullName} has a type Go JSON does not read: {field.FieldType}"),
        };
        if (number is null)
        {
            throw new GoJsonException($"{path}: expected {Expected(field)}, got {(value.ValueKind == JsonValueKind.String ? "the string " : string.Empty)}{Truncate(value.GetRawText())}");
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            context.Deprecate($"{path} (a number as a string; send the number)");
        }

        return number;
    }

    private static object ReadEnum(JsonElement value, FieldDescriptor field, string path, Context context)
    {
        var type = field.EnumType;
        var named = GoJsonShapes.NamedEnums.Contains(type.FullName);
        EnumValueDescriptor? found = value.ValueKind switch
        {
            JsonValueKind.String => type.FindValueByName(value.GetString()!),
            JsonValueKind.Number when value.TryGetInt32(out var number) => type.FindValueByNumber(number),
            _ => throw WrongType(path, field, value),
        };
        if (found is null)
        {
            var valid = string.Join(", ", type.Values.Select(v => named ? $"\"{v.Name}\"" : v.Number.ToString(CultureInfo.InvariantCulture)));
            throw new GoJsonException($"{path}: {Truncate(value.GetRawText())} is not a {type.Name}; valid: {valid}");
        }

        if (named != (value.ValueKind == JsonValueKind.String))
        {
            context.Deprecate($"{path} (send {(named ? $"the name \"{found.Name}\"" : $"the number {found.Number}")})");
        }

        return Enum.ToObject(type.ClrType, found.Number);
    }

    /// <summary>
    /// Routes in Go's form, an object whose values are the route owners' raw JSON, kept byte for byte; or this server's
    /// earlier proto3 form, <c>{"routes":{"cf-router":"&lt;base64 of the JSON&gt;"}}</c>.
    /// </summary>
    private static ProtoRoutes ReadRoutes(JsonElement value, string path, Context context)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new GoJsonException($"{path}: expected an object of routes (router name to its JSON), got {Describe(value.ValueKind)}");
        }

        var routes = new ProtoRoutes();
        if (IsProto3Routes(value, out var inner))
        {
            context.Deprecate($"{path}.routes (base64 route values; send each route's JSON as it is)");
            foreach (var property in inner.EnumerateObject())
            {
                routes.Routes[property.Name] = ByteString.CopyFrom(property.Value.GetBytesFromBase64());
            }

            return routes;
        }

        foreach (var property in value.EnumerateObject())
        {
            routes.Routes[property.Name] = ByteString.CopyFrom(Encoding.UTF8.GetBytes(property.Value.GetRawText()));
        }

        return routes;
    }

    private static bool IsProto3Routes(JsonElement value, out JsonElement inner)
    {
        inner = default;
        using var properties = value.EnumerateObject();
        if (!properties.MoveNext() || properties.Current.Name != "routes" || properties.Current.Value.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        inner = properties.Current.Value;
        if (properties.MoveNext())
        {
            return false;
        }

        foreach (var route in inner.EnumerateObject())
        {
            if (route.Value.ValueKind != JsonValueKind.String || !route.Value.TryGetBytesFromBase64(out var decoded) || !IsJsonText(decoded))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsJsonText(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static object DefaultOf(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.Bool => false,
        FieldType.String => string.Empty,
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => 0,
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => 0L,
        FieldType.UInt32 or FieldType.Fixed32 => 0U,
        FieldType.UInt64 or FieldType.Fixed64 => 0UL,
        _ => throw new InvalidOperationException($"{field.FullName}: a oneof of {field.FieldType} has no Go JSON wrapper"),
    };

    private static GoJsonException WrongType(string path, FieldDescriptor field, JsonElement value) =>
        new($"{path}: expected {Expected(field)}, got {Describe(value.ValueKind)}");

    private static string Expected(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.String => "a string",
        FieldType.Bool => "true or false",
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => "an integer (int32)",
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => "an integer (int64)",
        FieldType.UInt32 or FieldType.Fixed32 => "a non-negative integer (uint32)",
        FieldType.UInt64 or FieldType.Fixed64 => "a non-negative integer (uint64)",
        FieldType.Double or FieldType.Float => "a number",
        FieldType.Bytes => "a base64 string",
        FieldType.Enum when GoJsonShapes.NamedEnums.Contains(field.EnumType.FullName) => $"a {field.EnumType.Name} name (a string)",
        FieldType.Enum => $"a {field.EnumType.Name} (a number)",
        FieldType.Message => $"an object ({field.MessageType.Name})",
        _ => field.FieldType.ToString(),
    };

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string UnknownMember(string path, string name, GoJsonShape shape)
    {
        var suggestion = Suggest(name, shape, field: null);
        return suggestion is null ? $"{path}: unknown field" : $"{path}: unknown field, did you mean \"{suggestion}\"?";
    }

    /// <summary>The nearest of Diego's names for <paramref name="name"/>; for a deprecated name, the Go name of its field.</summary>
    private static string? Suggest(string name, GoJsonShape shape, FieldDescriptor? field)
    {
        if (field is not null)
        {
            var member = shape.Members.FirstOrDefault(m => m.Field == field);
            return member?.Spec.Kind switch
            {
                GoMemberKind.Embed or GoMemberKind.EmbedPointer => $"the {field.MessageType.Name} members at top level",
                GoMemberKind.Oneof => $"\"{member.Spec.Name}\":{{\"{member.Spec.Inner}\":…}}",
                null => null,
                _ => $"\"{member.Spec.Name}\"",
            };
        }

        return NearestName.Find(name, shape.GoNames);
    }

    private sealed class Context
    {
        public string? Deprecated { get; private set; }

        public void Deprecate(string what) => Deprecated ??= what;
    }

    private sealed class GoJsonException(string message) : Exception(message);
}
