using Bbs.Testing.Time;
using Bbs.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Bbs.Server.Tests.Convergence;

/// <summary>A server whose BBS rules (since, crash backoff, staleness, run-info age) run on a clock the test moves.</summary>
public interface IClockedServer
{
    ManualTimeProvider Clock { get; }
}

/// <summary>The embedded-store server with the BBS rules on a manual clock (starting at the real now).</summary>
public sealed class EmbeddedClockedBbsServer : EmbeddedBbsServer, IClockedServer
{
    public ManualTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
}

/// <summary>The etcd server with the BBS rules on a manual clock (starting at the real now).</summary>
public sealed class EtcdClockedBbsServer : EtcdBbsServer, IClockedServer
{
    public ManualTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
}

/// <summary>The embedded-store server whose leader converges every second, as a production leader does every 30 s.</summary>
public sealed class EmbeddedFastConvergenceBbsServer : EmbeddedBbsServer
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = FixtureSettings.FastConvergence;
}

/// <summary>The etcd server whose leader converges every second.</summary>
public sealed class EtcdFastConvergenceBbsServer : EtcdBbsServer
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = FixtureSettings.FastConvergence;
}

/// <summary>The embedded-store server of the cell tests (the default one, shutting down quickly).</summary>
public sealed class EmbeddedCellsBbsServer : EmbeddedBbsServer
{
}

/// <summary>The etcd server of the cell tests (the default one, shutting down quickly).</summary>
public sealed class EtcdCellsBbsServer : EtcdBbsServer
{
}

internal static class FixtureSettings
{
    public static readonly IReadOnlyDictionary<string, string?> FastConvergence = new Dictionary<string, string?>
    {
        ["Bbs:converge_repeat_interval"] = "00:00:01",
    };
}
