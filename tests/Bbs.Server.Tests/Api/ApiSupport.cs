using System.Diagnostics;
using Bbs.Server.Tests.Support;
using Bbs.Store;

namespace Bbs.Server.Tests.Api;

/// <summary>Polling and raw-HTTP helpers of the API tests.</summary>
internal static class ApiSupport
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Checks <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; returns whether it held.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await condition())
            {
                return true;
            }

            if (clock.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>POSTs <paramref name="content"/> to <paramref name="path"/> on the server's real address.</summary>
    public static Task<HttpResponseMessage> PostAsync(this BbsServer server, string path, HttpContent? content) =>
        server.Http.PostAsync(new Uri(path, UriKind.Relative), content);

    /// <summary>The store's current revision: unchanged across a call means the call wrote nothing.</summary>
    public static Task<long> StoreRevisionAsync(this BbsServer server) =>
        server.GetService<IKeyValueStore>().GetRevisionAsync(CancellationToken.None);

    /// <summary>The wire form of a response that carries only <c>Error{type, message}</c> in field 1 (lengths &lt; 128).</summary>
    public static byte[] ErrorOnlyBytes(int type, string message, bool keepContainer = false)
    {
        var text = System.Text.Encoding.UTF8.GetBytes(message);
        byte[] error = [0x08, (byte)type, 0x12, (byte)text.Length, .. text];
        return keepContainer ? [0x0a, (byte)error.Length, .. error, 0x10, 0x01] : [0x0a, (byte)error.Length, .. error];
    }

    /// <summary>Unix nanoseconds now, as BBS writes <c>since</c>.</summary>
    public static long NowUnixNanos() => (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
}
