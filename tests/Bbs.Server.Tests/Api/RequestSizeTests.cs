using Bbs.Models;
using Bbs.Server.Tests.Support;
using Bbs.Store;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Api;

/// <summary>
/// One size limit on both stores: a record over <c>max_record_bytes</c>, or a write request over etcd's
/// <c>--max-request-bytes</c> (<c>max_request_bytes</c>, which the embedded store enforces too), is the same typed
/// <c>InvalidRequest</c> naming the record and the limit, and never etcd's or gRPC's own text.
/// </summary>
public abstract class RequestSizeTests<TServer>(TServer server)
    where TServer : BbsServer
{
    [Fact]
    public async Task AFiveMegabyteDomainIsATypedErrorNamingTheRecordAndTheLimitAndWritesNothing()
    {
        var domain = TestModels.NewGuid("domain") + new string('d', 5_000_000);
        var revision = await server.StoreRevisionAsync();

        var error = await TestModels.ThrowsBbsAsync(() => server.Client.UpsertDomainAsync(domain, TimeSpan.Zero), Error.Types.Type.InvalidRequest);

        AssertNamesRecordAndLimit(error.Error.Message, "max_record_bytes", "1048576");
        Assert.Equal(revision, await server.StoreRevisionAsync());
        Assert.DoesNotContain(domain, await server.Client.DomainsAsync());
    }

    [Fact]
    public async Task AWriteRequestOverEtcdsRequestLimitIsTheSameTypedErrorOnEitherStore()
    {
        // 900 kB of domain: a record under max_record_bytes, but the upsert reads and writes its key in one
        // transaction of 1.8 MB, more than etcd's default --max-request-bytes (1.5 MiB).
        var domain = TestModels.NewGuid("domain") + new string('d', 900_000);
        var revision = await server.StoreRevisionAsync();

        var error = await TestModels.ThrowsBbsAsync(() => server.Client.UpsertDomainAsync(domain, TimeSpan.Zero), Error.Types.Type.InvalidRequest);

        AssertNamesRecordAndLimit(error.Error.Message, "max_request_bytes", StoreRequestTooLargeException.EtcdDefaultLimit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(revision, await server.StoreRevisionAsync());
    }

    [Fact]
    public async Task AWriteRequestUnderTheLimitIsStoredOnEitherStore()
    {
        // 700 kB of domain: a transaction of 1.4 MB, which etcd takes.
        var domain = TestModels.NewGuid("domain") + new string('d', 700_000);

        await server.Client.UpsertDomainAsync(domain, TimeSpan.FromSeconds(2));

        Assert.Contains(domain, await server.Client.DomainsAsync());
    }

    private static void AssertNamesRecordAndLimit(string message, string key, string limit)
    {
        Assert.Contains("/v1/domain/domain-", message, StringComparison.Ordinal);
        Assert.Contains(key, message, StringComparison.Ordinal);
        Assert.Contains(limit, message, StringComparison.Ordinal);
        Assert.True(message.Length < 400, $"the error carries the record instead of naming it ({message.Length} characters)");
        Assert.DoesNotContain("grpc", message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("etcdserver", message, StringComparison.OrdinalIgnoreCase);
    }
}

public sealed class EmbeddedRequestSizeTests(EmbeddedBbsServer server) : RequestSizeTests<EmbeddedBbsServer>(server), IClassFixture<EmbeddedBbsServer>;

public sealed class EtcdRequestSizeTests(EtcdBbsServer server) : RequestSizeTests<EtcdBbsServer>(server), IClassFixture<EtcdBbsServer>;
