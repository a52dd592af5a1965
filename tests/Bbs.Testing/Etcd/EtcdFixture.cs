using Xunit;

namespace Bbs.Testing.Etcd;

/// <summary>
/// One etcd shared by a test collection. xunit needs the collection definition in the test assembly itself:
/// <code>
/// [CollectionDefinition(EtcdFixture.Collection)]
/// public sealed class EtcdCollection : ICollectionFixture&lt;EtcdFixture&gt;;
/// </code>
/// then <c>[Collection(EtcdFixture.Collection)]</c> on test classes, which take the fixture in their constructor.
/// Tests in the collection run one at a time; give each its own keys with <see cref="TestKeys.UniquePrefix"/>.
/// Fails (never skips) when no etcd is available.
/// </summary>
public sealed class EtcdFixture : IAsyncLifetime
{
    public const string Collection = "etcd";

    private EtcdServer? _server;

    public EtcdServer Server => _server ?? throw new InvalidOperationException("The etcd fixture is not initialized.");

    public IReadOnlyList<Uri> ClientUrls => Server.ClientUrls;

    public async Task InitializeAsync() => _server = await EtcdServer.StartNewAsync().ConfigureAwait(false);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
