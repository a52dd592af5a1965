using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Bbs.Server.Encryption;

/// <summary>How fast the leader re-seals records under the active key (<c>active_key_label</c>).</summary>
public sealed class KeyRotationOptions
{
    /// <summary>Records re-sealed per second at most, so a rotation over a large store does not crowd out the API's writes.</summary>
    [ConfigurationKeyName("key_rotation_records_per_second")]
    [Description("how fast the leader re-seals records not sealed under active_key_label")]
    [Range(1, 100_000)]
    public int RecordsPerSecond { get; set; } = 200;

    /// <summary>
    /// How often the leader looks for records not sealed under the active key once a pass is done (instances with an
    /// older configuration may still write under an older key during a rolling update).
    /// </summary>
    [ConfigurationKeyName("key_rotation_interval")]
    [Description("how often the leader looks again for records to re-seal")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);
}
