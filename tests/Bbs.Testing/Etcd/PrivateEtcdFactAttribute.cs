using Xunit;

namespace Bbs.Testing.Etcd;

/// <summary>
/// A fact that needs an etcd the tests own: one they stop and restart, or one started with test flags (such as the
/// one-second progress-notify interval). Skipped, with an explicit reason, only when <c>ETCD_ENDPOINTS</c> points
/// the tests at an external cluster; never for any other reason.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PrivateEtcdFactAttribute : FactAttribute
{
    public PrivateEtcdFactAttribute()
    {
        if (EtcdServer.CannotControlReason is { } reason)
        {
            Skip = reason;
        }
    }
}
