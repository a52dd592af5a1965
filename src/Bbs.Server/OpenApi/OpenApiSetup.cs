using Google.Protobuf;
using Microsoft.OpenApi;

namespace Bbs.Server.OpenApi;

/// <summary>
/// The OpenAPI document (<c>/swagger/v1/swagger.json</c>) and Swagger UI (<c>/swagger</c>). Message
/// schemas come from the protobuf descriptors (<see cref="ProtobufSchemaFilter"/>), so the JSON they
/// describe is exactly what the JSON form of the API accepts and returns.
/// </summary>
internal static class OpenApiSetup
{
    public static IServiceCollection AddBbsOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Bbs",
                Version = "v1",
                Description = """
                    A wire-compatible Cloud Foundry Diego BBS. Every /v1 route takes and returns protobuf
                    (`application/x-protobuf`, BBS's own wire form) or, when the request's Content-Type is
                    `application/json`, the proto3 JSON form of the same messages with BBS's snake_case names.
                    Answers are HTTP 200 with any error in-band, in the response's `error` field.

                    Any route may also answer the in-band errors Timeout (the store is unavailable; every lifecycle
                    write is safe to retry), ResourceConflict (the store stayed contended) and UnknownError; routes that
                    take a body answer InvalidRequest with "the request received is invalid" when it does not decode.

                    "Try it out" sends JSON: the examples tell one story (desire an app, claim and start instance 0,
                    desire a task, ...), so run them in order. A state error such as ResourceNotFound means the story
                    has moved on; the route list reads like BBS's routes.go, grouped by area.
                    """,
            });
            options.TagActionsBy(api => [RouteDocsFilter.Area(api)]);
            options.OrderActionsBy(RouteDocsFilter.SortKey);
            options.CustomOperationIds(RouteDocsFilter.OperationId);
            options.DocumentFilter<RouteDocsFilter>();
            options.CustomSchemaIds(type => type.FullName?.Replace("Bbs.Models.", string.Empty, StringComparison.Ordinal).Replace('+', '.'));
            options.MapType<ByteString>(() => new OpenApiSchema { Type = JsonSchemaType.String, Format = "byte" });
            options.SchemaFilter<ProtobufSchemaFilter>();
        });
        return services;
    }

    public static WebApplication UseBbsOpenApi(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI(options =>
        {
            options.RoutePrefix = "swagger";
            options.SwaggerEndpoint("/swagger/v1/swagger.json", "Bbs v1");
        });
        return app;
    }
}
