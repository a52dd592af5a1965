using System.Text.Json.Nodes;
using Bbs.Server.Http;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Bbs.Server.OpenApi;

/// <summary>
/// Writes <see cref="RouteDocs"/> into the generated document: each operation's summary, description, JSON example
/// and deprecation (naming the route that replaces it), the event streams' <c>text/event-stream</c> answer, and the
/// areas as the document's tags, in their order.
/// </summary>
internal sealed class RouteDocsFilter : IDocumentFilter
{
    private const string EventStreamContentType = "text/event-stream";

    /// <summary>The BBS route name of an endpoint (its <c>.WithName(...)</c>).</summary>
    public static string? RouteName(ApiDescription api) =>
        api.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;

    /// <summary>The area of an endpoint, for Swashbuckle's TagActionsBy.</summary>
    public static string Area(ApiDescription api) => RouteDocs.For(RouteName(api))?.Area ?? "Other";

    /// <summary>Orders operations by area, then as the route table maps them.</summary>
    public static string SortKey(ApiDescription api)
    {
        var area = Area(api);
        var index = RouteDocs.Areas.Select(a => a.Name).ToList().IndexOf(area);
        return (index < 0 ? RouteDocs.Areas.Count : index).ToString("D2", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The route name, for the method BBS serves a route on (POST when it takes POST); a route mapped on more
    /// methods gets the method as a suffix on the others, so operation ids stay unique.
    /// </summary>
    public static string? OperationId(ApiDescription api)
    {
        var name = RouteName(api);
        var methods = api.ActionDescriptor.EndpointMetadata.OfType<IHttpMethodMetadata>().FirstOrDefault()?.HttpMethods ?? [];
        if (name is null || methods.Count < 2)
        {
            return name;
        }

        var primary = methods.Contains(HttpMethods.Post) ? HttpMethods.Post : methods[0];
        return string.Equals(api.HttpMethod, primary, StringComparison.OrdinalIgnoreCase) ? name : $"{name}_{api.HttpMethod?.ToLowerInvariant()}";
    }

    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(swaggerDoc);
        ArgumentNullException.ThrowIfNull(context);
        var routes = context.ApiDescriptions
            .Select(api => (Name: RouteName(api), Api: api, Operation: OperationOf(swaggerDoc, api)))
            .Where(r => r.Name is not null && r.Operation is not null)
            .ToList();

        foreach (var (name, api, operation) in routes)
        {
            if (RouteDocs.For(name) is not { } doc)
            {
                continue;
            }

            operation!.Summary = doc.Summary;
            operation.Description = doc.Description;
            if (doc.ReplacedBy is { } current)
            {
                var replacement = routes.Where(r => r.Name == current).Select(r => r.Api).OrderBy(r => r.HttpMethod == HttpMethods.Post ? 0 : 1).FirstOrDefault()
                    ?? throw new InvalidOperationException($"route {name} is documented as replaced by {current}, which is not mapped");
                operation.Deprecated = true;
                operation.Description = $"**Deprecated**: use `{replacement.HttpMethod} /{replacement.RelativePath}` ({current}) instead. {doc.Description}";
            }

            if (api.HttpMethod == HttpMethods.Post && operation.RequestBody is null && doc.Area != RouteDocs.Events && api.RelativePath?.StartsWith("v1/", StringComparison.Ordinal) == true)
            {
                operation.RequestBody = IgnoredBody();
            }

            if (api.HttpMethod == HttpMethods.Get && routes.Any(r => r.Name == name && r.Api.HttpMethod == HttpMethods.Post) && doc.Area != RouteDocs.Events)
            {
                operation.Description += " Swagger UI sends neither a body nor a Content-Type with GET (so the answer is protobuf): try the POST form.";
            }

            // "*/*" is there for the router's content-type check (any Content-Type is protobuf unless it says JSON); the
            // document lists the two forms.
            operation.RequestBody?.Content?.Remove(BbsRequestContentTypes.Any);

            if (doc.Example is { } example && operation.RequestBody?.Content is { } content
                && content.TryGetValue(BbsCodec.JsonContentType, out var json) && json is OpenApiMediaType mediaType)
            {
                mediaType.Example = JsonNode.Parse(example);
            }

            if (doc.Area == RouteDocs.Events && operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse response)
            {
                response.Description = "A server-sent event stream, until the client or the server ends it";
                response.Content = new Dictionary<string, OpenApiMediaType>
                {
                    [EventStreamContentType] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                };
            }
        }

        swaggerDoc.Tags = new HashSet<OpenApiTag>(RouteDocs.Areas.Select(a => new OpenApiTag { Name = a.Name, Description = a.Description }));
    }

    /// <summary>
    /// A route without a request ignores its body, but the request's Content-Type still picks the answer's form:
    /// described as an optional JSON object, "Try it out" sends <c>{}</c> as JSON and gets the JSON answer. (No
    /// example: the writer leaves an empty one out, and Swagger UI makes <c>{}</c> from the schema.)
    /// </summary>
    private static OpenApiRequestBody IgnoredBody() => new()
    {
        Required = false,
        Description = "Ignored. Send `Accept: application/json` or `Content-Type: application/json` (any body) to get the answer as JSON; without either the answer is protobuf.",
        Content = new Dictionary<string, OpenApiMediaType>
        {
            [BbsCodec.JsonContentType] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } },
        },
    };

    private static OpenApiOperation? OperationOf(OpenApiDocument document, ApiDescription api)
    {
        var path = "/" + api.RelativePath?.TrimEnd('/');
        return api.HttpMethod is { } method
            && document.Paths.TryGetValue(path, out var item)
            && item.Operations?.TryGetValue(new HttpMethod(method), out var operation) == true
            ? operation
            : null;
    }
}
