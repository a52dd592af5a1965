using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Bbs.Models;
using Bbs.Server.Tests.Api;
using Bbs.Server.Tests.Support;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Hosting;

/// <summary>Body limit and per-client list limit, over real HTTP (max_request_body_bytes 64 KiB, 2 lists per client).</summary>
public sealed class RequestLimitsTests : IAsyncLifetime
{
    private BbsServerFactory Factory { get; set; } = null!;

    public Task InitializeAsync()
    {
        Factory = new BbsServerFactory(new Dictionary<string, string?>
        {
            ["Bbs:store"] = "embedded",
            ["Bbs:max_request_body_bytes"] = "65536",
            ["Bbs:max_list_requests_per_client"] = "2",
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    [Fact]
    public async Task ABodyOverTheLimitIsAnswered413WithTheLimitWhetherItsLengthIsKnownOrNot()
    {
        using var http = Factory.CreateHttpClient();
        var body = new byte[100_000];

        using var sized = await http.PostAsync(new Uri("/v1/desired_lrp/desire.r2", UriKind.Relative), Protobuf.Raw(body));
        using var chunkedContent = new StreamContent(new UnknownLengthStream(body));
        chunkedContent.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
        using var chunked = await http.PostAsync(new Uri("/v1/desired_lrp/desire.r2", UriKind.Relative), chunkedContent);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, sized.StatusCode);
        Assert.Contains("max_request_body_bytes (65536)", await sized.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(chunked.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{chunked.StatusCode}: {Convert.ToHexString(await chunked.Content.ReadAsByteArrayAsync())}");
        Assert.Contains("max_request_body_bytes (65536)", await chunked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFloodOfListCallsFromOneClientIsShedWhileClaimsAreAllServed()
    {
        using var client = new Bbs.Client.BbsClient(Factory.CreateHttpClient());
        var guid = TestModels.NewGuid();
        await client.DesireLrpAsync(TestModels.DesiredLrp(guid, 20));
        for (int i = 0; i < 20; i++)
        {
            await client.DesireLrpAsync(TestModels.DesiredLrp(TestModels.NewGuid(), 100));
        }

        using var flooder = Factory.CreateHttpClient();
        var flood = Enumerable.Range(0, 60).Select(async _ =>
        {
            using var response = await flooder.PostAsync(new Uri("/v1/actual_lrps/list", UriKind.Relative), Protobuf.Body(new ActualLRPsRequest()));
            return (response.StatusCode, RetryAfter: response.Headers.RetryAfter?.Delta);
        }).ToList();
        var claims = Enumerable.Range(0, 20).Select(i => client.ClaimActualLrpAsync(guid, i, TestModels.InstanceKey("flood-cell"))).ToList();

        var listed = await Task.WhenAll(flood);
        await Task.WhenAll(claims);

        Assert.All(listed, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{r.StatusCode}"));
        Assert.Contains(listed, r => r.StatusCode == HttpStatusCode.ServiceUnavailable && r.RetryAfter == TimeSpan.FromSeconds(1));
        Assert.Contains(listed, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(await Task.WhenAll(Enumerable.Range(0, 20).Select(i => client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, i))), g => Assert.Equal("CLAIMED", g.Instance.State));
    }

    /// <summary>A stream that does not say its length, so HttpClient sends it chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}

/// <summary>max_requests_in_flight 2: a burst is shed with 503 and Retry-After, and the probes still answer.</summary>
public sealed class InFlightLimitTests : IAsyncLifetime
{
    private BbsServerFactory Factory { get; set; } = null!;

    public Task InitializeAsync()
    {
        Factory = new BbsServerFactory(new Dictionary<string, string?>
        {
            ["Bbs:store"] = "embedded",
            ["Bbs:max_requests_in_flight"] = "2",
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    [Fact]
    public async Task ABurstBeyondTheLimitIsAnswered503WithRetryAfterAndProbesStillAnswer()
    {
        using var meters = new Bbs.Server.Tests.Convergence.ConvergenceMeterRecorder(Factory.Services.GetRequiredService<IMeterFactory>());
        using var client = new Bbs.Client.BbsClient(Factory.CreateHttpClient());
        for (int i = 0; i < 10; i++)
        {
            await client.DesireLrpAsync(TestModels.DesiredLrp(TestModels.NewGuid(), 200));
        }

        using var http = Factory.CreateHttpClient();
        var burst = Enumerable.Range(0, 60).Select(async _ =>
        {
            using var response = await http.PostAsync(new Uri("/v1/actual_lrps/list", UriKind.Relative), Protobuf.Body(new ActualLRPsRequest()));
            return (response.StatusCode, RetryAfter: response.Headers.RetryAfter?.Delta, Body: await response.Content.ReadAsStringAsync());
        }).ToList();
        using var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        var answers = await Task.WhenAll(burst);

        var shed = answers.Where(a => a.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(shed);
        Assert.All(shed, a => Assert.Equal(TimeSpan.FromSeconds(1), a.RetryAfter));
        Assert.Contains("max_requests_in_flight=2", shed[0].Body, StringComparison.Ordinal);
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.True(shed.Count == meters.Recorded.Count(m => m.Instrument == "bbs_requests_rejected" && (string?)m.Tags["reason"] == "in_flight"), string.Join(",", meters.Recorded.Select(m => m.Instrument).Distinct()));
    }

    [Fact]
    public async Task OpenEventStreamsOnEveryPathDoNotCountTowardTheLimit()
    {
        using var http = Factory.CreateHttpClient();
        string[] paths = ["/v1/events", "/v1/events.r1", "/v1/events.r1", "/v1/events.r1", "/v1/events/lrp_instances", "/v1/events/lrp_instances.r1", "/v1/events/tasks", "/v1/events/tasks.r1"];
        var streams = new List<HttpResponseMessage>();
        try
        {
            foreach (var path in paths)
            {
                var response = await http.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
                streams.Add(response);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
            }

            // Eight streams are open and the limit is two: API requests are still served.
            using var client = new Bbs.Client.BbsClient(Factory.CreateHttpClient());
            for (int i = 0; i < 3; i++)
            {
                await client.DesireLrpAsync(TestModels.DesiredLrp(TestModels.NewGuid(), 1));
            }
        }
        finally
        {
            streams.ForEach(s => s.Dispose());
        }
    }
}
