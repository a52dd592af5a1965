namespace Bbs.Server.Tests.Support;

/// <summary>One server on the embedded store, shared by the tests of a class.</summary>
public sealed class EmbeddedServer : IAsyncLifetime
{
    public BbsServerFactory Factory { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Factory = new BbsServerFactory(new Dictionary<string, string?> { ["Bbs:store"] = "embedded" });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}
