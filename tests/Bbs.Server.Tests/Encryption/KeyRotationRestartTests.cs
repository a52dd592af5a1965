using Bbs.Client;
using Bbs.Db;
using Bbs.Etcd;
using Bbs.Models;
using Bbs.Server.Tests.Cluster;
using Bbs.Server.Tests.Tasks;
using Bbs.Store;
using Bbs.Store.Etcd;
using Bbs.Testing.Etcd;
using Xunit.Abstractions;
using ErrorType = Bbs.Models.Error.Types.Type;
using TestModels = Bbs.Server.Tests.Support.Models;

namespace Bbs.Server.Tests.Encryption;

/// <summary>
/// The operator's rotation, with real server processes on a private etcd: write under key A, restart with A and B (B
/// active), stop the leader in the middle of its throttled pass, restart, and every record ends sealed under B (read
/// from etcd's raw values); then B alone reads everything, and a record left under A is an error naming A.
/// </summary>
public sealed class KeyRotationRestartTests(ITestOutputHelper output)
{
    private const string KeyA = "A:passphrase of key A";
    private const string KeyB = "B:passphrase of key B";

    [PrivateEtcdFact]
    public async Task ARotationCutShortByARestartResumesAndThenTheNewKeyAloneReadsEverything()
    {
        await using var etcd = await EtcdServer.StartNewAsync(allowExternal: false);
        await using var store = EtcdKeyValueStore.Create(new EtcdClientOptions { Endpoints = [.. etcd.ClientUrls] });
        var shared = new Dictionary<string, string>
        {
            ["Bbs:store"] = "etcd",
            ["Bbs:etcd_endpoints"] = string.Join(',', etcd.ClientUrls),
            ["Bbs:lock_ttl"] = "00:00:03",
            ["Bbs:lock_retry_interval"] = "00:00:01",
            ["Bbs:key_rotation_interval"] = "00:00:00.500",
        };
        BbsProcess Server(string name, params (string Key, string Value)[] settings)
        {
            var all = new Dictionary<string, string>(shared);
            foreach (var (key, value) in settings)
            {
                all[key] = value;
            }

            return new BbsProcess(name, $"bbs-{name.ToLowerInvariant()}-{Guid.NewGuid():N}"[..16], BbsProcess.FreePort(), all);
        }

        // 1. Written under A alone.
        var guid = TestModels.NewGuid();
        var tasks = Enumerable.Range(0, 10).Select(_ => TaskTestSupport.NewTaskGuid()).ToList();
        await using (var a = Server("a", ("Bbs:encryption_keys:0", KeyA), ("Bbs:active_key_label", "A")))
        {
            await StartAsync(a);
            await a.Client.DesireLrpAsync(TestModels.DesiredLrp(guid, 20));
            foreach (var task in tasks)
            {
                await a.Client.DesireTaskAsync(task, TestModels.Domain, TaskTestSupport.Definition());
            }
        }

        var labels = await TestKeys.RawLabelsAsync(store);
        Assert.Equal(32, labels.Count);
        Assert.All(labels.Values, l => Assert.Equal("A", l));

        // 2. A and B, B active, re-sealing 4 records a second: stopped in the middle of its pass.
        (string, string)[] both = [("Bbs:encryption_keys:0", KeyA), ("Bbs:encryption_keys:1", KeyB), ("Bbs:active_key_label", "B"), ("Bbs:key_rotation_records_per_second", "4")];
        await using (var ab = Server("ab", both))
        {
            await StartAsync(ab);
            Assert.True(await EventuallyAsync(async () => (await TestKeys.RawLabelsAsync(store)).Values.Count(l => l == "B") >= 4, TimeSpan.FromSeconds(30)), "no record was re-sealed");
            var readyz = await ab.Http.GetStringAsync(new Uri("/readyz", UriKind.Relative));
            output.WriteLine(readyz);
            Assert.Contains("key rotation: active key 'B', running on this instance (leader)", readyz, StringComparison.Ordinal);
            Assert.Contains("bbs_records_resealed_total", await ab.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
        }

        var midway = await TestKeys.RawLabelsAsync(store);
        output.WriteLine($"after the stop: {midway.Values.Count(l => l == "B")} of {midway.Count} under B");
        Assert.Contains(midway.Values, l => l == "A");

        // 3. Restarted with the same keys, at full speed: the pass resumes and finishes.
        await using (var again = Server("ab2", [.. both[..3], ("Bbs:key_rotation_records_per_second", "1000")]))
        {
            await StartAsync(again);
            Assert.True(await EventuallyAsync(async () => (await TestKeys.RawLabelsAsync(store)).Values.All(l => l == "B"), TimeSpan.FromSeconds(30)), "the rotation did not finish");
            var metrics = await again.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            Assert.Equal(0, Metric(metrics, "bbs_records_stale"));
            Assert.Equal(0, Metric(metrics, "bbs_records_unreadable"));
        }

        // 4. B alone reads everything; a record left under A is an error naming A, in its get and in the list.
        await using var b = Server("b", ("Bbs:encryption_keys:0", KeyB), ("Bbs:active_key_label", "B"));
        await StartAsync(b);
        Assert.Equal(20, (await b.Client.ActualLrpsAsync(new Bbs.Client.ActualLrpFilter(ProcessGuid: guid))).Count);
        Assert.Equal(20, (await b.Client.DesiredLrpByProcessGuidAsync(guid)).Instances);
        Assert.Equal(tasks.Order(), (await b.Client.TasksAsync()).Select(t => t.TaskGuid).Order());

        var left = TaskTestSupport.NewTaskGuid();
        await b.Client.DesireTaskAsync(left, TestModels.Domain, TaskTestSupport.Definition());
        await SealUnderAAsync(store, Keys.Task(left));
        var get = await TestModels.ThrowsBbsAsync(() => b.Client.TaskByGuidAsync(left), ErrorType.FailedToOpenEnvelope);
        Assert.Equal($"record {Keys.Task(left)} is sealed with key 'A', which is not configured (encryption_keys)", get.Error.Message);
        await TestModels.ThrowsBbsAsync(() => b.Client.TasksAsync(), ErrorType.FailedToOpenEnvelope);
        Assert.True(await EventuallyAsync(async () => Metric(await b.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), "bbs_records_unreadable") == 1, TimeSpan.FromSeconds(10)));
        Assert.True(
            await EventuallyAsync(() => Task.FromResult(b.RecentOutput.Split('\n').Any(line => line.Contains(Keys.Task(left), StringComparison.Ordinal) && line.Contains("is sealed with key", StringComparison.Ordinal))), TimeSpan.FromSeconds(10)),
            "no log line names the unreadable record");
    }

    private static async Task SealUnderAAsync(EtcdKeyValueStore store, string key)
    {
        var writer = new Bbs.Db.Format.RecordSerializer(new Bbs.Db.Format.RecordFormatOptions { EncryptionKeys = [KeyA, KeyB], ActiveKeyLabel = "A" });
        var kv = (await store.GetAsync(key, CancellationToken.None)).Kv!;
        var result = await store.TxnAsync(TxnRequest.If(TxnCompare.ModRevisionIs(key, kv.ModRevision)).Then(new PutOp(key, writer.Reencode(kv.Value.Span))), CancellationToken.None);
        Assert.True(result.Succeeded);
    }

    /// <summary>The value of an unlabelled series in Prometheus text (OpenTelemetry may add scope labels).</summary>
    private static double Metric(string text, string name)
    {
        var line = Assert.Single(text.Split('\n'), l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task StartAsync(BbsProcess process)
    {
        process.Start();
        await process.WaitUntilReadyAsync(BbsCluster.StartTimeout);
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return await condition();
    }
}
