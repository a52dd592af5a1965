using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Bbs.Models;
using Bbs.Server.Tests.Support;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bbs.Server.Tests;

/// <summary>
/// The Swagger document explains the API (issue 11): operations grouped by area, each with a summary and a
/// description, deprecated aliases naming their replacement, and JSON examples the live server accepts.
/// Everything is read from /swagger/v1/swagger.json over real HTTP.
/// </summary>
public sealed class SwaggerDocumentTests(EmbeddedBbsServer server) : IClassFixture<EmbeddedBbsServer>
{
    private static readonly string[] Areas =
        ["Domains", "Desired LRPs", "Actual LRPs", "Evacuation", "Tasks", "Cells", "Events", "Convergence", "Health"];

    /// <summary>bbs-protocol.md §1: the older revisions and the routes NEW marks DEPRECATED.</summary>
    private static readonly HashSet<string> DeprecatedRoutes = new(StringComparer.Ordinal)
    {
        "DesiredLRPs_r0", "DesiredLRPs_r1", "DesiredLRPs_r2",
        "DesiredLRPByProcessGuid_r0", "DesiredLRPByProcessGuid_r1", "DesiredLRPByProcessGuid_r2",
        "DesireDesiredLRP_r0",
        "ActualLRPGroups", "ActualLRPGroupsByProcessGuid", "ActualLRPGroupsByProcessGuidAndIndex",
        "StartActualLRP_r0", "EvacuateRunningActualLRP_r0",
        "Tasks_r0", "Tasks_r1", "Tasks_r2", "TaskByGuid_r0", "TaskByGuid_r1", "TaskByGuid_r2",
        "DesireTask_r0", "FailTask",
        "EventStream", "EventStream_r0", "LrpInstanceEventStream_r0", "TaskEventStream_r0",
    };

    [Fact]
    public async Task EveryRouteIsDocumentedUnderOneAreaAndNoTagIsAClassName()
    {
        using var document = await SwaggerAsync();
        var operations = Operations(document).ToList();
        var classNames = typeof(BbsRoutes).Assembly.GetTypes().Select(t => t.Name).Append("Bbs.Server").ToHashSet(StringComparer.Ordinal);

        foreach (var route in NamedRoutes())
        {
            Assert.Contains(operations, o => o.Path == route.Path && o.Method == route.Method);
        }

        foreach (var operation in operations)
        {
            var tags = operation.Element.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToList();
            var tag = Assert.Single(tags);
            Assert.Contains(tag, Areas);
            Assert.DoesNotContain(tag, classNames);
        }

        var documentTags = document.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToArray();
        Assert.Equal(Areas, documentTags);
    }

    [Fact]
    public async Task EveryOperationHasASummaryAndADescription()
    {
        using var document = await SwaggerAsync();

        foreach (var operation in Operations(document))
        {
            Assert.False(string.IsNullOrWhiteSpace(Text(operation.Element, "summary")), $"{operation} has no summary");
            Assert.DoesNotContain('\n', Text(operation.Element, "summary"));
            Assert.False(string.IsNullOrWhiteSpace(Text(operation.Element, "description")), $"{operation} has no description");
        }
    }

    [Fact]
    public async Task EveryRequestBodyOffersJsonFirstWithAnExampleAndAnswersJsonFirst()
    {
        using var document = await SwaggerAsync();

        foreach (var operation in Operations(document))
        {
            if (operation.Element.TryGetProperty("requestBody", out var body))
            {
                var content = body.GetProperty("content");
                Assert.Equal("application/json", content.EnumerateObject().First().Name);
                Assert.True(content.GetProperty("application/json").TryGetProperty("example", out _) || IsIgnored(body), $"{operation} has no JSON example");
            }
            else
            {
                // Only what cannot be tried with a body: the event streams, the probes, and the GET forms.
                Assert.True(operation.Path.StartsWith("/v1/events", StringComparison.Ordinal) || !operation.Path.StartsWith("/v1/", StringComparison.Ordinal)
                    || operation.Method == HttpMethods.Get, $"{operation} has no request body");
            }

            var ok = operation.Element.GetProperty("responses").GetProperty("200");
            if (ok.TryGetProperty("content", out var answer) && !operation.Path.StartsWith("/v1/events", StringComparison.Ordinal))
            {
                Assert.Equal("application/json", answer.EnumerateObject().First().Name);
            }
        }
    }

    [Fact]
    public async Task DeprecatedAliasesAreMarkedAndNameTheCurrentRoute()
    {
        using var document = await SwaggerAsync();
        var operations = Operations(document).ToList();

        foreach (var operation in operations)
        {
            var name = operation.Element.GetProperty("operationId").GetString()!;
            var routeName = name.EndsWith("_get", StringComparison.Ordinal) || name.EndsWith("_head", StringComparison.Ordinal) ? name[..name.LastIndexOf('_')] : name;
            var deprecated = operation.Element.TryGetProperty("deprecated", out var flag) && flag.GetBoolean();
            Assert.True(DeprecatedRoutes.Contains(routeName) == deprecated, $"{operation} ({routeName}) deprecated: {deprecated}");
            if (!deprecated)
            {
                continue;
            }

            // "**Deprecated**: use `POST /v1/desired_lrps/list.r3` (DesiredLRPs) instead."
            var description = Text(operation.Element, "description");
            var use = description.IndexOf("use `", StringComparison.Ordinal);
            Assert.True(use >= 0, $"{operation} does not name its replacement: {description}");
            var replacement = description[(use + 5)..description.IndexOf('`', use + 5)].Split(' ');
            var current = Assert.Single(operations, o => o.Method == replacement[0] && o.Path == replacement[1]);
            Assert.False(current.Element.TryGetProperty("deprecated", out var currentFlag) && currentFlag.GetBoolean(), $"{operation} points to the deprecated {current}");
        }
    }

    /// <summary>
    /// "Try it out" works out of the box: every JSON example, sent in document order (the examples tell one
    /// story) with Content-Type application/json, decodes and validates; a state error such as ResourceNotFound
    /// is fine, InvalidRequest is not.
    /// </summary>
    [Fact]
    public async Task EveryJsonExampleIsAcceptedByTheLiveServer()
    {
        using var document = await SwaggerAsync();
        var refused = new List<string>();
        var tried = 0;

        foreach (var operation in Operations(document))
        {
            if (!operation.Element.TryGetProperty("requestBody", out var body))
            {
                continue;
            }

            // A route without a request ignores its body (Swagger UI sends "{}"); its Content-Type still picks JSON.
            var example = body.GetProperty("content").GetProperty("application/json").TryGetProperty("example", out var json) ? json.GetRawText()
                : IsIgnored(body) ? "{}"
                : throw new InvalidOperationException($"{operation} has no JSON example");
            using var request = new HttpRequestMessage(new HttpMethod(operation.Method), new Uri(operation.Path, UriKind.Relative))
            {
                Content = new StringContent(example, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
            };
            using var response = await server.Http.SendAsync(request);
            tried++;

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            if (answer.RootElement.TryGetProperty("error", out var errorJson))
            {
                var error = JsonParser.Default.Parse<Error>(errorJson.GetRawText());
                if (error.Type == Error.Types.Type.InvalidRequest)
                {
                    refused.Add($"{operation}: {error.Message}");
                }
            }
        }

        Assert.True(tried > 55, $"only {tried} examples");
        Assert.Empty(refused);
    }

    private async Task<JsonDocument> SwaggerAsync()
    {
        using var response = await server.Http.GetAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static IEnumerable<Operation> Operations(JsonDocument document)
    {
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var method in path.Value.EnumerateObject())
            {
                yield return new Operation(path.Name, method.Name.ToUpperInvariant(), method.Value);
            }
        }
    }

    /// <summary>Every named route of the server's endpoint table (the BBS routes and the probes), per method.</summary>
    private IEnumerable<(string Path, string Method)> NamedRoutes() =>
        server.GetService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IEndpointNameMetadata>() is not null)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (e.RoutePattern.RawText!, m)));

    /// <summary>The optional body of a route without a request, described as ignored.</summary>
    private static bool IsIgnored(JsonElement body) =>
        !(body.TryGetProperty("required", out var required) && required.GetBoolean())
        && Text(body, "description").StartsWith("Ignored.", StringComparison.Ordinal);

    private static string Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? value.GetString() ?? string.Empty : string.Empty;

    private sealed record Operation(string Path, string Method, JsonElement Element)
    {
        public override string ToString() => $"{Method} {Path}";
    }
}
