using System.Collections.Concurrent;
using Google.Protobuf.Reflection;

namespace Bbs.Models.Json;

/// <summary>
/// One message's Go JSON form, resolved against its descriptor: the members to write, in order, and every name a
/// JSON body may use for them (Diego's names, flattened through embedded structs, and this server's earlier proto3
/// names, which are deprecated).
/// </summary>
internal sealed class GoJsonShape
{
    private static readonly ConcurrentDictionary<MessageDescriptor, GoJsonShape> Shapes = new();

    private readonly Dictionary<string, GoJsonInput> inputs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GoJsonInput> inputsIgnoringCase = new(StringComparer.OrdinalIgnoreCase);

    private GoJsonShape(MessageDescriptor descriptor)
    {
        Descriptor = descriptor;
        if (!GoJsonShapes.Members.TryGetValue(descriptor.FullName, out var members))
        {
            throw new InvalidOperationException($"{descriptor.FullName} has no Go JSON form in GoJsonShapes");
        }

        Members = [.. members.Select(m => new ResolvedMember(m, descriptor.FindFieldByNumber(m.Number)
            ?? throw new InvalidOperationException($"GoJsonShapes names field {m.Number}, which {descriptor.FullName} does not have")))];
    }

    public MessageDescriptor Descriptor { get; }

    public IReadOnlyList<ResolvedMember> Members { get; }

    /// <summary>Every name a body may use, for error messages that suggest the nearest one.</summary>
    public IEnumerable<string> GoNames => inputs.Where(i => !i.Value.Deprecated).Select(i => i.Key);

    public static GoJsonShape For(MessageDescriptor descriptor) => Shapes.GetOrAdd(descriptor, static d => Build(d));

    /// <summary>The member a body's key names: exactly, or as Go's decoder matches, ignoring case.</summary>
    public bool TryFindInput(string name, out GoJsonInput input) =>
        inputs.TryGetValue(name, out input!) || inputsIgnoringCase.TryGetValue(name, out input!);

    private static GoJsonShape Build(MessageDescriptor descriptor)
    {
        var shape = new GoJsonShape(descriptor);
        foreach (var member in shape.Members)
        {
            shape.AddGoInputs(member, []);
        }

        // The proto3 names this server answered to before it spoke Diego's form: each field's name and json_name,
        // embedded keys as nested objects, oneofs as plain members. Accepted for one deprecation cycle.
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            foreach (var name in new[] { field.Name, field.JsonName })
            {
                if (!shape.inputs.ContainsKey(name))
                {
                    shape.inputs[name] = new GoJsonInput(GoJsonInputKind.Proto3, [], field, Deprecated: true);
                }
            }
        }

        foreach (var (name, input) in shape.inputs)
        {
            if (!input.Deprecated)
            {
                shape.inputsIgnoringCase.TryAdd(name, input);
            }
        }

        return shape;
    }

    private void AddGoInputs(ResolvedMember member, FieldDescriptor[] path)
    {
        switch (member.Spec.Kind)
        {
            case GoMemberKind.Embed or GoMemberKind.EmbedPointer:
                var inner = For(member.Field.MessageType);
                FieldDescriptor[] innerPath = [.. path, member.Field];
                foreach (var innerMember in inner.Members)
                {
                    AddGoInputs(innerMember, innerPath);
                }

                break;
            case GoMemberKind.Oneof:
                inputs.TryAdd(member.Spec.Name, new GoJsonInput(GoJsonInputKind.Oneof, path, member.Field, Deprecated: false, member.Spec.Inner));
                break;
            default:
                inputs.TryAdd(member.Spec.Name, new GoJsonInput(GoJsonInputKind.Go, path, member.Field, Deprecated: false));
                break;
        }
    }
}

/// <summary>A member of <see cref="GoJsonShapes"/> with its field.</summary>
internal sealed record ResolvedMember(GoMember Spec, FieldDescriptor Field);

internal enum GoJsonInputKind
{
    /// <summary>A member in Diego's form.</summary>
    Go,

    /// <summary>A gogo oneof's wrapper object, <c>{"routable":true}</c>.</summary>
    Oneof,

    /// <summary>A field under this server's earlier proto3 name, in the proto3 form.</summary>
    Proto3,
}

/// <summary>
/// What a body's key sets: <see cref="Field"/> of the message reached through <see cref="Path"/> (the embedded
/// fields between the body's object and the field's own message).
/// </summary>
internal sealed record GoJsonInput(GoJsonInputKind Kind, FieldDescriptor[] Path, FieldDescriptor Field, bool Deprecated, string? Inner = null);

/// <summary>One member of a message's Go JSON form, embedded structs already flattened (for documents and tests).</summary>
/// <param name="Name">The member's JSON name.</param>
/// <param name="Field">The field it carries.</param>
/// <param name="WrapperMember">For a gogo oneof, the name inside its wrapper object; null otherwise.</param>
/// <param name="OmitEmpty">Whether Go leaves it out when it is zero or unset.</param>
/// <param name="WrittenByGo">False for an older era's field that is read but never written.</param>
public sealed record GoJsonMember(string Name, FieldDescriptor Field, string? WrapperMember, bool OmitEmpty, bool WrittenByGo);

/// <summary>The Go JSON form's facts, for those that describe it (the OpenAPI document) rather than read or write it.</summary>
public static class GoJsonForm
{
    /// <summary>The members Go writes for <paramref name="descriptor"/>, in order, embedded structs flattened.</summary>
    public static IReadOnlyList<GoJsonMember> MembersOf(MessageDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var members = new List<GoJsonMember>();
        Add(GoJsonShape.For(descriptor), members);
        return members;
    }

    /// <summary>True when Go writes the enum's values by name; otherwise as numbers.</summary>
    public static bool IsNamed(EnumDescriptor type) => GoJsonShapes.NamedEnums.Contains(type?.FullName ?? string.Empty);

    /// <summary>True for the routes message, whose Go form is an object of raw JSON values.</summary>
    public static bool IsRoutes(MessageDescriptor type) => type?.ClrType == typeof(ProtoRoutes);

    private static void Add(GoJsonShape shape, List<GoJsonMember> members)
    {
        foreach (var member in shape.Members)
        {
            var spec = member.Spec;
            if (spec.Kind is GoMemberKind.Embed or GoMemberKind.EmbedPointer)
            {
                Add(GoJsonShape.For(member.Field.MessageType), members);
                continue;
            }

            members.Add(new GoJsonMember(spec.Name, member.Field, spec.Kind == GoMemberKind.Oneof ? spec.Inner : null, spec.OmitEmpty, WrittenByGo: spec.Kind != GoMemberKind.Extra));
        }
    }
}
