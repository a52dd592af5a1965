namespace Bbs.Testing.Peers;

/// <summary>
/// A real HTTP server standing in for an OpenTelemetry collector's OTLP/HTTP receiver (<c>/v1/traces</c>,
/// <c>/v1/metrics</c>): it records every export and answers 200. Bodies are protobuf; the recorded text keeps the
/// ASCII names in them (service, span and instrument names), which is what the tests look for.
/// </summary>
public sealed class FakeOtlpCollector : FakePeer
{
    private FakeOtlpCollector()
        : base(200)
    {
    }

    public static async Task<FakeOtlpCollector> StartAsync(CancellationToken cancellationToken = default)
    {
        var fake = new FakeOtlpCollector();
        await fake.StartServerAsync(cancellationToken);
        return fake;
    }

    protected override bool IsKnownRoute(string method, string path) =>
        method == "POST" && path is "/v1/traces" or "/v1/metrics";
}
