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

                    Beyond the errors each operation lists, any route may answer Timeout (the store is unavailable;
                    every lifecycle write is safe to retry) and UnknownError, a write ResourceConflict (the store stayed
                    contended), and a route that reads a body InvalidRequest "the request received is invalid" when the
                    body does not decode.

                    "Try it out" sends JSON. The examples share one process guid, one cell and one task guid: desire
                    the LRP, then claim and start its instance 0; desire the task, then start, complete, resolve and
                    delete it. A state error such as ResourceNotFound only means the record is not (or no longer) in
                    that state. Operation ids are BBS's route names; older revisions are marked deprecated.
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
            options.DisplayOperationId();
        });
        return app;
    }
}
