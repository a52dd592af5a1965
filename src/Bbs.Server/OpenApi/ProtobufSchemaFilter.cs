using System.Text.Json.Nodes;
using Bbs.Models.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Bbs.Server.OpenApi;

/// <summary>
/// Replaces the reflection-made schema of a generated protobuf class with its Diego JSON form (<see cref="GoJsonForm"/>):
/// one property per member Go writes, embedded structs flattened, 64-bit integers as numbers, enums by name where
/// Go writes names, routes as raw JSON. Members Go always writes are required.
/// </summary>
internal sealed class ProtobufSchemaFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema target || !typeof(IMessage).IsAssignableFrom(context.Type) || context.Type.IsAbstract)
        {
            return;
        }

        if (Activator.CreateInstance(context.Type) is not IMessage message)
        {
            return;
        }

        target.Type = JsonSchemaType.Object;
        target.AdditionalPropertiesAllowed = false;
        if (GoJsonForm.IsRoutes(message.Descriptor))
        {
            target.Properties = null;
            target.Required = null;
            target.AdditionalPropertiesAllowed = true;
            target.AdditionalProperties = new OpenApiSchema { Description = "the route owner's JSON, as it is" };
            target.Description = "routes: each router's name to its JSON (e.g. cf-router: [{\"hostnames\":[…],\"port\":8080}])";
            return;
        }

        var properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        foreach (var member in GoJsonForm.MembersOf(message.Descriptor))
        {
            properties[member.Name] = member.WrapperMember is { } inner
                ? new OpenApiSchema
                {
                    Type = JsonSchemaType.Object | JsonSchemaType.Null,
                    Properties = new Dictionary<string, IOpenApiSchema> { [inner] = FieldSchema(member.Field, context) },
                    Description = $"Go's oneof wrapper: {{\"{inner}\": …}}, or null when unset",
                }
                : FieldSchema(member.Field, context);
        }

        target.Properties = properties;
        target.Required = null;
    }

    private static IOpenApiSchema FieldSchema(FieldDescriptor field, SchemaFilterContext context)
    {
        if (field.IsMap)
        {
            var valueField = field.MessageType.FindFieldByNumber(2);
            return new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = SingleSchema(valueField, context) };
        }

        var single = SingleSchema(field, context);
        return field.IsRepeated ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = single } : single;
    }

    private static IOpenApiSchema SingleSchema(FieldDescriptor field, SchemaFilterContext context) => field.FieldType switch
    {
        FieldType.Bool => new OpenApiSchema { Type = JsonSchemaType.Boolean },
        FieldType.String => new OpenApiSchema { Type = JsonSchemaType.String },
        FieldType.Bytes => new OpenApiSchema { Type = JsonSchemaType.String, Format = "byte" },
        FieldType.Double or FieldType.Float => new OpenApiSchema { Type = JsonSchemaType.Number },
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
        FieldType.UInt32 or FieldType.Fixed32 => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "0" },
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64" },
        FieldType.UInt64 or FieldType.Fixed64 => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "0" },
        FieldType.Enum when GoJsonForm.IsNamed(field.EnumType) => new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Enum = [.. field.EnumType.Values.Select(v => (JsonNode)JsonValue.Create(v.Name)!)],
        },
        FieldType.Enum => new OpenApiSchema
        {
            Type = JsonSchemaType.Integer,
            Enum = [.. field.EnumType.Values.Select(v => (JsonNode)JsonValue.Create(v.Number)!)],
        },
        FieldType.Message or FieldType.Group => context.SchemaGenerator.GenerateSchema(field.MessageType.ClrType, context.SchemaRepository),
        _ => new OpenApiSchema(),
    };
}
