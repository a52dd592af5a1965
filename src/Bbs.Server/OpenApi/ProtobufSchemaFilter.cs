using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Bbs.Server.OpenApi;

/// <summary>
/// Replaces the reflection-made schema of a generated protobuf class with one read from its descriptor:
/// one property per field under its JSON name, in the proto3 JSON mapping (64-bit integers as strings,
/// bytes as base64, enums by name, maps as objects).
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

        var properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            properties[field.JsonName] = FieldSchema(field, context);
        }

        target.Type = JsonSchemaType.Object;
        target.Properties = properties;
        target.Required = null;
        target.AdditionalPropertiesAllowed = true;
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
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 or FieldType.UInt64 or FieldType.Fixed64 =>
            new OpenApiSchema { Type = JsonSchemaType.String, Format = "int64", Description = "a 64-bit integer, as a decimal string (numbers are accepted too)" },
        FieldType.Enum => new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Enum = [.. field.EnumType.Values.Select(v => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(v.Name)!)],
        },
        FieldType.Message or FieldType.Group => context.SchemaGenerator.GenerateSchema(field.MessageType.ClrType, context.SchemaRepository),
        _ => new OpenApiSchema(),
    };
}
