namespace Bbs.Models.Tests.Validation;

public sealed class SecurityGroupRuleValidationTests
{
    private static readonly ValidationCases<SecurityGroupRule> Cases = new ValidationCases<SecurityGroupRule>(Valid.TcpRule)
        .Add("tcp with ports is valid", _ => { }, null)
        .Add("tcp with a port range is valid", r => { r.Ports.Clear(); r.PortRange = new PortRange { Start = 1, End = 65535 }; }, null)
        .Add("tcp may log", r => r.Log = true, null)
        .Add("udp with ports is valid", r => r.Protocol = "udp", null)
        .Add("udp may not log", r => { r.Protocol = "udp"; r.Log = true; }, "Invalid field: log")
        .Add("icmp with icmp info is valid", r => Icmp(r), null)
        .Add("icmp needs icmp info", r => { Icmp(r); r.IcmpInfo = null; }, "Invalid field: icmp_info")
        .Add("icmp takes no ports", r => { Icmp(r); r.Ports.Add(80); }, "Invalid field: ports")
        .Add("icmp takes no port range", r => { Icmp(r); r.PortRange = new PortRange { Start = 1, End = 2 }; }, "Invalid field: port_range")
        .Add("icmp may not log", r => { Icmp(r); r.Log = true; }, "Invalid field: log")
        .Add("all without ports is valid", r => { r.Protocol = "all"; r.Ports.Clear(); }, null)
        .Add("all takes no ports", r => r.Protocol = "all", "Invalid field: ports")
        .Add("all takes no port range", r => { r.Protocol = "all"; r.Ports.Clear(); r.PortRange = new PortRange { Start = 1, End = 2 }; }, "Invalid field: port_range")
        .Add("all takes no icmp info", r => { r.Protocol = "all"; r.Ports.Clear(); r.IcmpInfo = new ICMPInfo(); }, "Invalid field: icmp_info")
        .Add("an unknown protocol is invalid", r => r.Protocol = "sctp", "Invalid field: protocol")
        .Add("protocols are lower case", r => r.Protocol = "TCP", "Invalid field: protocol")
        .Add("tcp needs ports or a port range", r => r.Ports.Clear(), "Missing required field: ports or port_range")
        .Add("tcp takes ports or a port range, not both", r => r.PortRange = new PortRange { Start = 1, End = 2 }, "Invalid: ports and port_range provided")
        .Add("port zero is invalid", r => r.Ports.Add(0), "Invalid field: ports")
        .Add("a port range must start above zero", r => { r.Ports.Clear(); r.PortRange = new PortRange { Start = 0, End = 10 }; }, "Invalid field: port_range")
        .Add("a port range must not run backwards", r => { r.Ports.Clear(); r.PortRange = new PortRange { Start = 10, End = 5 }; }, "Invalid field: port_range")
        .Add("an empty port range is reported once per bad end", r => { r.Ports.Clear(); r.PortRange = new PortRange(); }, "Invalid field: port_range, Invalid field: port_range")
        .Add("tcp takes no icmp info", r => r.IcmpInfo = new ICMPInfo { Type = 8 }, "Invalid field: icmp_info")
        .Add("a rule needs a destination", r => r.Destinations.Clear(), "Invalid field: destinations [ Must have at least 1 destination ]")
        .Add("a single address is a destination", r => Destinations(r, "1.2.3.4"), null)
        .Add("an IPv6 address is a destination", r => Destinations(r, "::1", "fd00::/8", "2001:db8::1-2001:db8::9"), null)
        .Add("an address range is a destination", r => Destinations(r, "10.0.0.1-10.0.0.9"), null)
        .Add("an address out of range is invalid", r => Destinations(r, "10.0.0.256"), "Invalid field: destinations [ Invalid IP ]")
        .Add("an address with three parts is invalid", r => Destinations(r, "10.0.1"), "Invalid field: destinations [ Invalid IP ]")
        .Add("an address with a leading zero is invalid", r => Destinations(r, "010.0.0.1"), "Invalid field: destinations [ Invalid IP ]")
        .Add("a prefix longer than the address is invalid", r => Destinations(r, "10.0.0.0/33"), "Invalid field: destinations [ invalid CIDR address: 10.0.0.0/33 ]")
        .Add("a CIDR needs a prefix", r => Destinations(r, "10.0.0.0/"), "Invalid field: destinations [ invalid CIDR address: 10.0.0.0/ ]")
        .Add("a range with a bad end is invalid", r => Destinations(r, "10.0.0.1-foo"), "Invalid field: destinations [ Invalid IP ]")
        .Add("a reversed range is invalid", r => Destinations(r, "10.0.0.9-10.0.0.1"), "Invalid field: destinations [ Invalid IP ]")
        .Add("a reversed range reports each byte it is reversed in", r => Destinations(r, "10.9.9.9-10.1.1.1"), "Invalid field: destinations [ Invalid IP, Invalid IP, Invalid IP ]")
        .Add("bad destinations are listed together", r => Destinations(r, "1.2.3.4", "1.2.3", "10.0.0.0/40"), "Invalid field: destinations [ Invalid IP, invalid CIDR address: 10.0.0.0/40 ]")
        .Add("protocol and destination errors come together", r => { r.Protocol = "sctp"; r.Destinations.Clear(); }, "Invalid field: protocol, Invalid field: destinations [ Must have at least 1 destination ]");

    public static TheoryData<string> Names => Cases.Names;

    [Theory]
    [MemberData(nameof(Names))]
    public void EgressRuleValidationFollowsBbsSecurityGroupRules(string name) => Cases.Check(name);

    private static void Icmp(SecurityGroupRule rule)
    {
        rule.Protocol = "icmp";
        rule.Ports.Clear();
        rule.IcmpInfo = new ICMPInfo { Type = 0, Code = 0 };
    }

    private static void Destinations(SecurityGroupRule rule, params string[] destinations)
    {
        rule.Destinations.Clear();
        rule.Destinations.AddRange(destinations);
    }
}
