using System.Runtime.CompilerServices;

namespace Bbs.Testing.Etcd;

/// <summary>Key prefixes that keep tests sharing one etcd out of each other's way.</summary>
public static class TestKeys
{
    /// <summary>A prefix no other test (or run) uses: <c>/bbs-tests/{test}/{random}/</c>.</summary>
    public static string UniquePrefix([CallerMemberName] string test = "") => $"/bbs-tests/{test}/{Guid.NewGuid():N}/";
}
