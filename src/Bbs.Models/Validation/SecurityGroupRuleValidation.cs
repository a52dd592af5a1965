using Bbs.Models.Validation;

namespace Bbs.Models;

// BBS models/security_group.go.
public sealed partial class SecurityGroupRule : IValidatable
{
    private const string Tcp = "tcp";
    private const string Udp = "udp";
    private const string Icmp = "icmp";
    private const string All = "all";

    public string? Validate() => CollectErrors().ToText();

    internal ValidationErrors CollectErrors()
    {
        var errors = new ValidationErrors();
        switch (Protocol)
        {
            case Tcp:
                errors.AddAll(PortErrors());
                if (IcmpInfo is not null)
                {
                    errors.InvalidField("icmp_info");
                }

                break;
            case Udp:
                errors.AddAll(PortErrors());
                if (IcmpInfo is not null)
                {
                    errors.InvalidField("icmp_info");
                }

                if (Log)
                {
                    errors.InvalidField("log");
                }

                break;
            case Icmp:
                if (PortRange is not null)
                {
                    errors.InvalidField("port_range");
                }

                if (Ports.Count > 0)
                {
                    errors.InvalidField("ports");
                }

                if (IcmpInfo is null)
                {
                    errors.InvalidField("icmp_info");
                }

                if (Log)
                {
                    errors.InvalidField("log");
                }

                break;
            case All:
                if (PortRange is not null)
                {
                    errors.InvalidField("port_range");
                }

                if (Ports.Count > 0)
                {
                    errors.InvalidField("ports");
                }

                if (IcmpInfo is not null)
                {
                    errors.InvalidField("icmp_info");
                }

                break;
            default:
                errors.InvalidField("protocol");
                break;
        }

        if (DestinationErrors() is { } destinations)
        {
            errors.InvalidField("destinations [ " + destinations + " ]");
        }

        return errors;
    }

    // Go decodes an empty repeated field as nil, so "ports present" is "at least one port".
    private ValidationErrors PortErrors()
    {
        var errors = new ValidationErrors();
        if (PortRange is null && Ports.Count == 0)
        {
            return errors.Add("Missing required field: ports or port_range");
        }

        if (PortRange is not null && Ports.Count > 0)
        {
            return errors.Add("Invalid: ports and port_range provided");
        }

        if (PortRange is not null)
        {
            if (PortRange.Start < 1)
            {
                errors.InvalidField("port_range");
            }

            if (PortRange.End < 1)
            {
                errors.InvalidField("port_range");
            }

            if (PortRange.Start > PortRange.End)
            {
                errors.InvalidField("port_range");
            }
        }

        foreach (var port in Ports)
        {
            if (port < 1)
            {
                errors.InvalidField("ports");
            }
        }

        return errors;
    }

    private string? DestinationErrors()
    {
        if (Destinations.Count == 0)
        {
            return "Must have at least 1 destination";
        }

        var errors = new ValidationErrors();
        foreach (var destination in Destinations)
        {
            var separator = destination.AsSpan().IndexOfAny('-', '/');
            if (separator < 0)
            {
                if (GoIp.Parse(destination) is null)
                {
                    errors.Add("Invalid IP");
                }
            }
            else if (destination[separator] == '/')
            {
                if (GoIp.CidrError(destination) is { } cidrError)
                {
                    errors.Add(cidrError);
                }
            }
            else
            {
                var first = GoIp.Parse(destination[..separator]);
                var last = GoIp.Parse(destination[(separator + 1)..]);
                if (first is null || last is null)
                {
                    errors.Add("Invalid IP");
                    continue;
                }

                AddRangeOrderErrors(first, last, errors);
            }
        }

        return errors.ToText();
    }

    // BBS walks the 16-byte forms and stops at the first byte where first < last; every byte where
    // first > last before that adds one "Invalid IP", so a reversed range can report several.
    private static void AddRangeOrderErrors(byte[] first, byte[] last, ValidationErrors errors)
    {
        for (var i = 0; i < first.Length; i++)
        {
            if (first[i] < last[i])
            {
                break;
            }

            if (first[i] > last[i])
            {
                errors.Add("Invalid IP");
            }
        }
    }
}
