using System.Net;
using System.Text.Json;
using Bbs.Models;
using Bbs.Models.Json;
using Bbs.Server.Tests.Support;
using TestModels = Bbs.Server.Tests.Support.Models;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace Bbs.Server.Tests.Api;

/// <summary>
/// bbs-protocol.md §2 and §10 cases 3-4: a body that does not decode is answered in-band with BBS's bad-request
/// error on every route that reads one, a body that does not validate with the validation text, and neither
/// writes anything. The routes are read from the server's own endpoint table, so new routes are covered too.
/// Each concrete class has its own server, so the store revision only moves if these requests write.
/// </summary>
public abstract class MalformedBodyTests<TServer>(TServer server)
    where TServer : BbsServer
{
    private const string BadRequest = "the request received is invalid";

    /// <summary>Where <c>{"process_guid":</c> ends: the JSON stops before the member's value.</summary>
    private const string MalformedJson = "invalid JSON at line 1, column 17: ";

    /// <summary>
    /// Bodies no protobuf parser accepts, each failing in a different place of Google.Protobuf: a tag with wire
    /// type 7; a length-delimited field whose length overruns the body (the outside trial's case that answered 500:
    /// Google.Protobuf threw IndexOutOfRangeException); a truncated fixed64; a group that never ends; a bad varint.
    /// </summary>
    public static TheoryData<string> GarbageProtobuf => new()
    {
        "FFFFFF0F",
        "0AFFFFFFFF07616263",
        "0901",
        "0B",
        "08FFFFFFFFFFFFFFFFFFFF01",
        "1A05",
    };

    private static readonly HashSet<string> KeepContainerRoutes = new(StringComparer.Ordinal)
    {
        "/v1/actual_lrps/evacuate_claimed",
        "/v1/actual_lrps/evacuate_running",
        "/v1/actual_lrps/evacuate_running.r1",
    };

    [Fact]
    public void EveryV1RouteThatReadsABodyIsEnumerated()
    {
        var paths = BodyRoutes().Select(r => r.Path).ToList();

        Assert.True(paths.Count >= 30, $"only {paths.Count} /v1 routes with a request body were found: {string.Join(", ", paths)}");
        Assert.DoesNotContain("/v1/ping", paths);
        Assert.DoesNotContain("/v1/domains/list", paths);
        Assert.DoesNotContain("/v1/cells/list.r1", paths);
        Assert.Contains("/v1/domains/upsert", paths);
        Assert.Contains("/v1/desired_lrp/desire.r2", paths);
        Assert.Subset(paths.ToHashSet(StringComparer.Ordinal), KeepContainerRoutes);
        Assert.Contains("/v1/actual_lrps/evacuate_stopped", paths);
        Assert.Contains("/v1/actual_lrps/evacuate_crashed", paths);
    }

    [Theory]
    [MemberData(nameof(GarbageProtobuf))]
    public async Task GarbageProtobufOnEveryRouteIsTheBadRequestErrorAndWritesNothing(string hex)
    {
        var revision = await server.StoreRevisionAsync();
        var failures = new List<string>();

        foreach (var (path, method) in BodyRoutes())
        {
            using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = Protobuf.Raw(Convert.FromHexString(hex)) };
            using var response = await server.Http.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            var expected = ApiSupport.ErrorOnlyBytes(4, BadRequest, KeepContainerRoutes.Contains(path));
            if (response.StatusCode != HttpStatusCode.OK
                || response.Content.Headers.ContentType?.MediaType != "application/x-protobuf"
                || !body.AsSpan().SequenceEqual(expected))
            {
                failures.Add($"{method} {path}: {(int)response.StatusCode} {response.Content.Headers.ContentType} {Convert.ToHexString(body)}, expected {Convert.ToHexString(expected)}");
            }
        }

        if (failures.Count > 0)
        {
            Assert.Fail(string.Join(Environment.NewLine, failures));
        }

        Assert.Equal(revision, await server.StoreRevisionAsync());
    }

    [Fact]
    public async Task MalformedJsonOnEveryRouteIsAnInvalidRequestThatSaysWhereInJsonAndWritesNothing()
    {
        var revision = await server.StoreRevisionAsync();
        var failures = new List<string>();

        foreach (var (path, method) in BodyRoutes())
        {
            using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = Protobuf.Json("{\"process_guid\":") };
            using var response = await server.Http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var problem = JsonProblem(response, text, keepContainer: KeepContainerRoutes.Contains(path));
            if (problem is not null)
            {
                failures.Add($"{method} {path}: {problem}; got {(int)response.StatusCode} {response.Content.Headers.ContentType} {text}");
            }
        }

        if (failures.Count > 0)
        {
            Assert.Fail(string.Join(Environment.NewLine, failures));
        }

        Assert.Equal(revision, await server.StoreRevisionAsync());
    }

    [Fact]
    public async Task AnEmptyBodyOnEveryRouteIsAnsweredInBandNeverWithA500()
    {
        var failures = new List<string>();

        foreach (var (path, method) in BodyRoutes())
        {
            using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = Protobuf.Raw([]) };
            using var response = await server.Http.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.OK || response.Content.Headers.ContentType?.MediaType != "application/x-protobuf")
            {
                failures.Add($"{method} {path}: {(int)response.StatusCode} {response.Content.Headers.ContentType}");
            }
        }

        if (failures.Count > 0)
        {
            Assert.Fail(string.Join(Environment.NewLine, failures));
        }
    }

    [Fact]
    public async Task AnUpsertDomainRequestWithoutADomainIsTheValidationErrorByteForByte()
    {
        var revision = await server.StoreRevisionAsync();

        using var response = await server.PostAsync("/v1/domains/upsert", Protobuf.Body(new UpsertDomainRequest { Ttl = 60 }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ApiSupport.ErrorOnlyBytes(4, "Invalid field: domain"), await response.Content.ReadAsByteArrayAsync());
        var ex = await TestModels.ThrowsBbsAsync(() => server.Client.UpsertDomainAsync(string.Empty, TimeSpan.FromSeconds(60)), Error.Types.Type.InvalidRequest);
        Assert.Equal("Invalid field: domain", ex.Error.Message);
        Assert.Equal(revision, await server.StoreRevisionAsync());
    }

    [Theory]
    [InlineData("/v1/desired_lrp/desire.r2")]
    [InlineData("/v1/desired_lrp/desire")]
    public async Task AnEmptyDesireBodyIsTheValidationErrorOfAnEmptyRequest(string path)
    {
        var revision = await server.StoreRevisionAsync();

        using var response = await server.PostAsync(path, Protobuf.Raw([]));
        var answer = await Protobuf.ReadAsync<DesiredLRPLifecycleResponse>(response);

        Assert.Equal(new Error { Type = Error.Types.Type.InvalidRequest, Message = "Invalid field: desired_lrp" }, answer.Error);
        Assert.Equal(revision, await server.StoreRevisionAsync());
    }

    [Fact]
    public async Task AnEmptyJsonDesireIsTheValidationErrorOfAnEmptyRequest()
    {
        using var response = await server.PostAsync("/v1/desired_lrp/desire.r2", Protobuf.Json("{}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = ReadError(document.RootElement.GetProperty("error"));
        Assert.Equal(new Error { Type = Error.Types.Type.InvalidRequest, Message = "Invalid field: desired_lrp" }, error);
    }

    /// <summary>Every /v1 route whose handler binds a <c>BbsRequest&lt;T&gt;</c> (which marks it with AcceptsMetadata), with its method.</summary>
    private List<(string Path, HttpMethod Method)> BodyRoutes()
    {
        var endpoints = server.GetService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        return
        [
            .. endpoints
                .Where(e => e.RoutePattern.RawText?.StartsWith("/v1/", StringComparison.Ordinal) == true)
                .Where(e => e.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType is { } type && typeof(IMessage).IsAssignableFrom(type))
                .Select(e => (e.RoutePattern.RawText!, Method(e)))
                .Distinct()
                .OrderBy(r => r.Item1, StringComparer.Ordinal),
        ];

        static HttpMethod Method(Endpoint endpoint)
        {
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];
            return methods.Contains("POST") || methods.Count == 0 ? HttpMethod.Post : HttpMethod.Parse(methods[0]);
        }
    }

    /// <summary>What is wrong with a JSON answer that should carry the bad-request error, or null when nothing is.</summary>
    private static string? JsonProblem(HttpResponseMessage response, string text, bool keepContainer)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return "status is not 200";
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/json")
        {
            return "content type is not application/json";
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (!root.TryGetProperty("error", out var errorJson))
            {
                return "no error";
            }

            var error = ReadError(errorJson);
            if (error.Type != Error.Types.Type.InvalidRequest || !error.Message.StartsWith(MalformedJson, StringComparison.Ordinal))
            {
                return $"error is {error}";
            }

            var kept = root.TryGetProperty("keep_container", out var keep) && keep.ValueKind == JsonValueKind.True;
            return kept == keepContainer ? null : $"keep_container should be {keepContainer}";
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return "body is not the JSON of an error: " + ex.Message;
        }
    }

    private static Error ReadError(JsonElement json)
    {
        var read = GoJsonReader.Read<Error>(new System.Buffers.ReadOnlySequence<byte>(System.Text.Encoding.UTF8.GetBytes(json.GetRawText())));
        return read.Message ?? throw new InvalidOperationException(read.Error);
    }
}

public sealed class EmbeddedMalformedBodyTests(EmbeddedBbsServer server) : MalformedBodyTests<EmbeddedBbsServer>(server), IClassFixture<EmbeddedBbsServer>;

public sealed class EtcdMalformedBodyTests(EtcdBbsServer server) : MalformedBodyTests<EtcdBbsServer>(server), IClassFixture<EtcdBbsServer>;
