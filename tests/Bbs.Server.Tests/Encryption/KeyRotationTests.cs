using Bbs.Client;
using Bbs.Db;
using Bbs.Db.Format;
using Bbs.Models;
using Bbs.Server.Encryption;
using Bbs.Server.Tests.Api;
using Bbs.Server.Tests.Convergence;
using Bbs.Server.Tests.Support;
using Bbs.Server.Tests.Tasks;
using Bbs.Store;
using ErrorType = Bbs.Models.Error.Types.Type;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Encryption;

/// <summary>The keys the tests seal records with; a record is planted under "old" by re-sealing its stored value.</summary>
internal static class TestKeys
{
    public const string Old = "old:the passphrase of the old key";
    public const string New = "new:the passphrase of the new key";

    /// <summary>A serializer that seals under "old" and reads both keys: what an instance configured before the rotation wrote.</summary>
    public static RecordSerializer OldWriter { get; } = new(new RecordFormatOptions { EncryptionKeys = [Old, New], ActiveKeyLabel = "old" });

    /// <summary>Rewrites the stored values of <paramref name="keys"/> sealed under "old", as an older instance would have left them.</summary>
    public static async Task SealUnderOldKeyAsync(IKeyValueStore store, IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            var kv = (await store.GetAsync(key, CancellationToken.None)).Kv ?? throw new InvalidOperationException($"{key} is missing");
            var result = await store.TxnAsync(
                TxnRequest.If(TxnCompare.ModRevisionIs(key, kv.ModRevision)).Then(new PutOp(key, OldWriter.Reencode(kv.Value.Span), kv.Lease)),
                CancellationToken.None);
            Assert.True(result.Succeeded, $"{key} changed while it was re-sealed under the old key");
        }
    }

    /// <summary>The key label of every record under /v1/ as etcd (or the embedded store) holds it.</summary>
    public static async Task<Dictionary<string, string?>> RawLabelsAsync(IKeyValueStore store)
    {
        var range = await store.RangeAsync(Keys.Root, 0, CancellationToken.None);
        return range.Kvs.Where(kv => RecordResealer.IsRecordKey(kv.Key)).ToDictionary(kv => kv.Key, kv => RecordSerializer.SealedLabel(kv.Value.Span));
    }
}

/// <summary>A server configured with both keys, "new" active: its leader re-seals "old" records quickly.</summary>
public sealed class RotatingEmbeddedServer : EmbeddedBbsServer
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = RotatingSettings.Both;
}

public sealed class RotatingEtcdServer : EtcdBbsServer
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = RotatingSettings.Both;
}

/// <summary>A server configured with "new" alone: records left under "old" cannot be read.</summary>
public sealed class NewKeyOnlyEmbeddedServer : EmbeddedBbsServer
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = RotatingSettings.NewOnly;
}

public sealed class NewKeyOnlyEtcdServer : EtcdBbsServer
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = RotatingSettings.NewOnly;
}

internal static class RotatingSettings
{
    public static readonly Dictionary<string, string?> Both = new()
    {
        ["Bbs:encryption_keys:0"] = TestKeys.Old,
        ["Bbs:encryption_keys:1"] = TestKeys.New,
        ["Bbs:active_key_label"] = "new",
        ["Bbs:key_rotation_interval"] = "00:00:00.200",
        ["Bbs:key_rotation_records_per_second"] = "1000",
    };

    public static readonly Dictionary<string, string?> NewOnly = new()
    {
        ["Bbs:encryption_keys:0"] = TestKeys.New,
        ["Bbs:active_key_label"] = "new",
        ["Bbs:key_rotation_interval"] = "00:00:00.200",
    };
}

/// <summary>Key rotation in one server: records planted under the old key are re-sealed under the active one.</summary>
public abstract class KeyRotationTests<TServer>(TServer server)
    where TServer : BbsServer
{
    [Fact]
    public async Task RecordsSealedUnderAnOlderKeyAreResealedUnderTheActiveKeyWithTheirContentUnchanged()
    {
        var store = server.GetService<IKeyValueStore>();
        var guid = TestModels.NewGuid();
        await server.Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 3));
        var task = await server.DesirePendingAsync();
        var keys = new[] { Keys.SchedulingInfo(guid), Keys.RunInfo(guid), Keys.ActualInstance(guid, 0), Keys.ActualInstance(guid, 1), Keys.ActualInstance(guid, 2), Keys.Task(task) };
        var desired = await server.Client.DesiredLrpByProcessGuidAsync(guid);
        var taskBefore = await server.Client.TaskByGuidAsync(task);

        await TestKeys.SealUnderOldKeyAsync(store, keys);

        // The leader may already be at it: the planted values are not asserted here, their outcome is.
        Assert.True(
            await ApiSupport.EventuallyAsync(async () => (await TestKeys.RawLabelsAsync(store)).Values.All(l => l == "new"), TimeSpan.FromSeconds(15)),
            "records still sealed under the old key: " + string.Join(", ", (await TestKeys.RawLabelsAsync(store)).Where(p => p.Value != "new").Select(p => p.Key)));
        Assert.Equal(desired, await server.Client.DesiredLrpByProcessGuidAsync(guid));
        Assert.Equal(taskBefore, await server.Client.TaskByGuidAsync(task));
        var rotation = server.GetService<KeyRotation>();
        Assert.True(rotation.Resealed >= keys.Length, $"re-sealed: {rotation.Resealed}");
        Assert.True(await ApiSupport.EventuallyAsync(() => Task.FromResult(rotation.Count() is { Stale.Count: 0, Unreadable: 0 }), TimeSpan.FromSeconds(5)));
        Assert.Contains("0 to re-seal, 0 unreadable", await (await server.Http.GetAsync(new Uri("/readyz", UriKind.Relative))).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

public sealed class EmbeddedKeyRotationTests(RotatingEmbeddedServer server) : KeyRotationTests<RotatingEmbeddedServer>(server), IClassFixture<RotatingEmbeddedServer>;

public sealed class EtcdKeyRotationTests(RotatingEtcdServer server) : KeyRotationTests<RotatingEtcdServer>(server), IClassFixture<RotatingEtcdServer>;

/// <summary>A record sealed with a key that is not configured is an error naming the label, never absent.</summary>
public abstract class UnreadableRecordTests<TServer>(TServer server)
    where TServer : BbsServer
{
    [Fact]
    public async Task ARecordUnderARemovedKeyIsATypedErrorNamingTheLabelInGetsListsAndReadyzAndConvergenceKeepsIt()
    {
        var store = server.GetService<IKeyValueStore>();
        var guid = TestModels.NewGuid();
        await server.Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 1));
        var task = await server.DesirePendingAsync();
        var keys = new[] { Keys.SchedulingInfo(guid), Keys.RunInfo(guid), Keys.ActualInstance(guid, 0), Keys.Task(task) };
        await TestKeys.SealUnderOldKeyAsync(store, keys);
        try
        {
            static void NamesTheLabel(BbsException ex, string key) =>
                Assert.Equal($"record {key} is sealed with key 'old', which is not configured (encryption_keys)", ex.Error.Message);

            NamesTheLabel(await TestModels.ThrowsBbsAsync(() => server.Client.TaskByGuidAsync(task), ErrorType.FailedToOpenEnvelope), Keys.Task(task));
            await TestModels.ThrowsBbsAsync(() => server.Client.TasksAsync(), ErrorType.FailedToOpenEnvelope);
            await TestModels.ThrowsBbsAsync(() => server.Client.DesiredLrpByProcessGuidAsync(guid), ErrorType.FailedToOpenEnvelope);
            await TestModels.ThrowsBbsAsync(() => server.Client.DesiredLrpsAsync(), ErrorType.FailedToOpenEnvelope);
            await TestModels.ThrowsBbsAsync(() => server.Client.DesiredLrpSchedulingInfosAsync(), ErrorType.FailedToOpenEnvelope);
            NamesTheLabel(
                await TestModels.ThrowsBbsAsync(() => server.Client.ActualLrpGroupByProcessGuidAndIndexAsync(guid, 0), ErrorType.FailedToOpenEnvelope),
                Keys.ActualInstance(guid, 0));
            NamesTheLabel(await TestModels.ThrowsBbsAsync(() => server.Client.ActualLrpsAsync(), ErrorType.FailedToOpenEnvelope), Keys.ActualInstance(guid, 0));
            await TestModels.ThrowsBbsAsync(() => server.Client.CancelTaskAsync(task), ErrorType.FailedToOpenEnvelope);

            // Convergence leaves them alone: they are intact, and readable again once the key is configured.
            await server.Client.ConvergeLrpsAsync();
            await server.Client.ConvergeTasksAsync(TaskTestSupport.Long, TaskTestSupport.Long, TaskTestSupport.Long);
            foreach (var key in keys)
            {
                Assert.NotNull(await server.GetKvAsync(key));
            }

            var rotation = server.GetService<KeyRotation>();
            Assert.True(await ApiSupport.EventuallyAsync(() => Task.FromResult(rotation.Count() is { Unreadable: >= 4 }), TimeSpan.FromSeconds(5)));
            var readyz = await server.Http.GetAsync(new Uri("/readyz", UriKind.Relative));
            Assert.Equal(System.Net.HttpStatusCode.OK, readyz.StatusCode);
            var text = await readyz.Content.ReadAsStringAsync();
            Assert.Contains("4 unreadable", text, StringComparison.Ordinal);
            Assert.Contains("is sealed with key 'old', which is not configured", text, StringComparison.Ordinal);
            Assert.All(keys, k => Assert.Equal("old", RecordSerializer.SealedLabel(store.GetAsync(k, CancellationToken.None).Result.Kv!.Value.Span)));
        }
        finally
        {
            foreach (var key in keys)
            {
                await server.DeleteKeyAsync(key);
            }
        }
    }
}

public sealed class EmbeddedUnreadableRecordTests(NewKeyOnlyEmbeddedServer server) : UnreadableRecordTests<NewKeyOnlyEmbeddedServer>(server), IClassFixture<NewKeyOnlyEmbeddedServer>;

public sealed class EtcdUnreadableRecordTests(NewKeyOnlyEtcdServer server) : UnreadableRecordTests<NewKeyOnlyEtcdServer>(server), IClassFixture<NewKeyOnlyEtcdServer>;
