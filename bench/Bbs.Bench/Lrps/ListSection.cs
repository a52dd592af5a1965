using Bbs.Bench.Measure;
using Bbs.Bench.RawEtcd;
using Bbs.Bench.Report;
using Bbs.Bench.Server;
using Bbs.Client;
using Bbs.Etcd;
using Google.Protobuf;

namespace Bbs.Bench.Lrps;

/// <summary>
/// Section 2b: listing every actual LRP through the server (POST /v1/actual_lrps/list, what the route emitter and
/// the nsync bulker do), against reading the same <c>/v1/actual/</c> prefix from etcd directly, plus the server's
/// memory while it does so.
/// </summary>
public sealed class ListSection(BbsClient client, EtcdClient etcd, Etcdctl? etcdctl, ServerProcess server, BenchOptions options, ResultTable table)
{
    private const string Section = "2b list";
    private const string Domain = "bench-list";
    private const string ActualPrefix = "/v1/actual/";
    /// <summary>Issue 10's targets: a list through the server at most a quarter of etcdctl's range of the same keys, and peak RSS.</summary>
    private const double Target = 0.25;
    private const double RssTargetMib = 300;

    /// <summary>Diego's published scale figure: the route emitter fetching 200,000 LRPs from the etcd-era BBS took 37 s (2016).</summary>
    private const int DiegoLrps = 200_000;
    private const double DiegoSeconds = 37;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        int perLrp = Math.Min(options.ListInstancesPerLrp, options.ListInstances);
        int lrps = (options.ListInstances + perLrp - 1) / perLrp;
        var guids = Enumerable.Range(0, lrps).Select(i => $"{Domain}-{i:D4}").ToList();
        var desire = await LrpFixtures.DesireAllAsync(client, guids, Domain, perLrp, parallel: 8, cancellationToken).ConfigureAwait(false);
        table.Add(
            Section,
            $"desire {lrps} LRPs x {Format.Count(perLrp)} instances (8 in parallel)",
            Format.PerSecond(lrps * perLrp / desire.Elapsed.TotalSeconds, "instances"),
            $"{Format.Duration(desire.Elapsed)}; one desire p50 {Format.Ms(desire.Latency.P50Ms)}, max {Format.Ms(desire.Latency.MaxMs)}");

        // Warm both paths (and learn the count) before anything is timed; earlier sections' instances count too.
        // On the embedded store etcd holds nothing of the server's, so there is no raw read to compare with.
        bool onEtcd = options.Store == "etcd";
        var beforeLists = server.Memory();
        int expected = onEtcd ? await RawCountAsync(cancellationToken).ConfigureAwait(false) : (await client.ActualLrpsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Count;
        await ListThroughServerAsync(expected, cancellationToken).ConfigureAwait(false);
        bool peakReset = MemorySample.TryResetPeak(server.Pid);

        // Alternate the two reads so that both see the same background load on this shared machine.
        var cpu = CpuSplit.Start(server.Pid);
        var viaServer = new List<double>(options.ListRuns);
        var viaEtcd = new List<double>(options.ListRuns);
        for (int run = 0; run < options.ListRuns; run++)
        {
            if (onEtcd)
            {
                viaEtcd.Add(await TimeAsync(() => RawCountAsync(cancellationToken), expected).ConfigureAwait(false));
            }

            viaServer.Add(await TimeAsync(() => ListBytesThroughServerAsync(cancellationToken), expected).ConfigureAwait(false));
        }

        var afterLists = server.Memory();
        var cpuUse = cpu.Stop();

        // What a Go or C# client pays on top: decoding every record (BbsClient), timed after the loop above.
        var decoded = new List<double>(options.ListRuns);
        for (int run = 0; run < options.ListRuns; run++)
        {
            decoded.Add(await TimeAsync(() => ListThroughServerAsync(expected, cancellationToken), expected).ConfigureAwait(false));
        }

        // etcd's own client on the same keys, after the measured loop so its process starts do not count as load.
        var viaEtcdctl = onEtcd && etcdctl is not null
            ? await etcdctl.GetPrefixAsync(ActualPrefix, options.ListRuns, expected * 16L, cancellationToken).ConfigureAwait(false)
            : null;
        var serverTime = LatencySummary.Of(viaServer);
        var etcdTime = LatencySummary.Of(viaEtcd);
        var decodedTime = LatencySummary.Of(decoded);
        table.Add(Section, $"list all actual LRPs via server ({Format.Count(expected)})", Format.Ms(serverTime.MeanMs), $"mean of {serverTime.Count}, max {Format.Ms(serverTime.MaxMs)}; POST /v1/actual_lrps/list, whole protobuf body read, records counted");
        table.Add(Section, "the same list decoded by BbsClient", Format.Ms(decodedTime.MeanMs), $"mean of {decodedTime.Count}, max {Format.Ms(decodedTime.MaxMs)}; BbsClient.ActualLrpsAsync: the client's decode on top");
        table.Add(Section, "server CPU per list", Format.Ms(1000 * cpuUse.Server / options.ListRuns ?? double.NaN), cpuUse + $"; {options.ListRuns} server lists and {viaEtcd.Count} raw reads");
        if (onEtcd)
        {
            table.Add(Section, $"raw RangeAllAsync {ActualPrefix} ({Format.Count(expected)} keys)", Format.Ms(etcdTime.MeanMs), $"mean of {etcdTime.Count}, max {Format.Ms(etcdTime.MaxMs)}; pages of {Format.Count(options.PageSize)}, values not decoded");
            double raw = etcdTime.MeanMs;
            string rawName = "our client";
            if (viaEtcdctl is not null)
            {
                table.Add(Section, $"etcdctl get --prefix {ActualPrefix}", Format.Ms(viaEtcdctl.MeanMs), $"mean of {viaEtcdctl.Count}, max {Format.Ms(viaEtcdctl.MaxMs)}; one unpaged range, process start included");
                if (viaEtcdctl.MeanMs < raw)
                {
                    raw = viaEtcdctl.MeanMs;
                    rawName = "etcdctl";
                }
            }

            double ratio = serverTime.MeanMs / raw;
            table.Add(Section, "server list time ÷ raw etcd range time", Format.Ratio(ratio), $"raw = the better of our client and etcdctl ({rawName})");
            if (viaEtcdctl is not null)
            {
                double vsEtcdctl = serverTime.MeanMs / viaEtcdctl.MeanMs;
                table.Add(Section, "server list time ÷ etcdctl get --prefix", Format.Ratio(vsEtcdctl), $"{(vsEtcdctl <= Target ? "meets" : "MISSES")} target <= {Target:0.00}x");
            }
        }
        else
        {
            table.Add(Section, "server list time ÷ raw etcd range time", "n/a", "the server runs on the embedded store, not etcd");
        }

        table.Add(
            Section,
            "server peak RSS (VmHWM)",
            Format.MiB(peakReset ? afterLists.PeakKib : Math.Max(beforeLists.PeakKib, afterLists.PeakKib)),
            peakReset
                ? $"during the {options.ListRuns} timed lists; over the whole run before them: {Format.MiB(beforeLists.PeakKib)} (desires included)"
                : "since the server started (resetting VmHWM was not allowed)");
        double peakMib = (peakReset ? afterLists.PeakKib : Math.Max(beforeLists.PeakKib, afterLists.PeakKib)) / 1024.0;
        table.Add(Section, "server peak RSS ÷ target", $"{peakMib:0} MiB", $"{(peakMib <= RssTargetMib ? "meets" : "MISSES")} target <= {RssTargetMib:0} MiB; {Format.Count(expected)} records held in the view");
        table.Add(Section, "server RSS after the lists", Format.MiB(afterLists.RssKib), $"before the first list: {Format.MiB(beforeLists.RssKib)}");

        double ours = expected / (serverTime.MeanMs / 1000);
        table.Add(
            Section,
            "scale: Diego 2016, route-emitter fetch of 200k LRPs",
            $"{DiegoSeconds:0} s",
            $"{Format.PerSecond(DiegoLrps / DiegoSeconds, "LRPs")}; ours {Format.PerSecond(ours, "LRPs")} ({Format.Count(expected)} in {Format.Ms(serverTime.MeanMs)}), {ours / (DiegoLrps / DiegoSeconds):0}x the rate");
    }

    private async Task<int> RawCountAsync(CancellationToken cancellationToken)
    {
        var prefix = ByteString.CopyFromUtf8(ActualPrefix);
        var range = await etcd.RangeAllAsync(prefix, EtcdKeys.PrefixEnd(prefix), 0, options.PageSize, cancellationToken).ConfigureAwait(false);
        return range.Kvs.Count;
    }

    /// <summary>The list as a client that does not decode sees it: the whole protobuf body, with its records counted.</summary>
    private async Task<int> ListBytesThroughServerAsync(CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent([]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
        using var response = await Http.PostAsync(new Uri(server.Url, "/v1/actual_lrps/list"), content, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var input = new CodedInputStream(body);
        int records = 0;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 2)
            {
                records++;
            }

            input.SkipLastField();
        }

        return records;
    }

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(5) };

    private async Task<int> ListThroughServerAsync(int expected, CancellationToken cancellationToken)
    {
        var all = await client.ActualLrpsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return all.Count == expected
            ? all.Count
            : throw new InvalidOperationException($"the server listed {all.Count} actual LRPs; etcd holds {expected} under {ActualPrefix}");
    }

    private static async Task<double> TimeAsync(Func<Task<int>> read, int expected)
    {
        long t0 = Clock.Now;
        int count = await read().ConfigureAwait(false);
        double ms = Clock.MsSince(t0);
        return count == expected ? ms : throw new InvalidOperationException($"read {count} records, expected {expected}");
    }
}
