#!/usr/bin/env python3
"""Encodes a Diego-shaped JSON request body into the protobuf bytes Diego's Go client sends for it.

An independent encoder for the golden bytes of GoJsonGoldenTests, written from gogo's generated marshalers in
cloudfoundry/bbs (models/*.pb.go, b2385bea): fields in ascending number order, proto3 zero scalars left out,
pointer messages written when set (an empty one as a zero length), oneof members written when set even if zero,
repeated uint32 `ports` unpacked, map entries as {1: key, 2: value} (Go's map order is random; this writes the
JSON's order, which the fixture keeps sorted), and route values as the raw JSON text of each route, as
encoding/json's RawMessage keeps it. It reads the JSON with the same names as Go's tags; only what the fixture
uses is here.

Usage: python3 gogo_golden.py diego-desired-lrp.json > diego-desired-lrp.hex
"""
import json
import sys

# message -> {json name: (field number, kind, element message or None, flags)}
# kinds: string, bool, int (varint, signed or not), msg, routes; flags: 'rep', 'unpacked', 'map', 'oneof'
S = {
    'DesireLRPRequest': {'desired_lrp': (1, 'msg', 'DesiredLRP', '')},
    'DesiredLRP': {
        'process_guid': (1, 'string', None, ''), 'domain': (2, 'string', None, ''), 'rootfs': (3, 'string', None, ''),
        'instances': (4, 'int', None, ''), 'env': (5, 'msg', 'EnvironmentVariable', 'rep'),
        'setup': (6, 'msg', 'Action', ''), 'action': (7, 'msg', 'Action', ''), 'monitor': (9, 'msg', 'Action', ''),
        'disk_mb': (10, 'int', None, ''), 'memory_mb': (11, 'int', None, ''), 'cpu_weight': (12, 'int', None, ''),
        'privileged': (13, 'bool', None, ''), 'ports': (14, 'int', None, 'rep unpacked'),
        'routes': (15, 'routes', None, ''), 'log_source': (16, 'string', None, ''), 'log_guid': (17, 'string', None, ''),
        'annotation': (19, 'string', None, ''), 'egress_rules': (20, 'msg', 'SecurityGroupRule', 'rep'),
        'modification_tag': (21, 'msg', 'ModificationTag', ''), 'start_timeout_ms': (27, 'int', None, ''),
        'max_pids': (29, 'int', None, ''), 'check_definition': (33, 'msg', 'CheckDefinition', ''),
        'metric_tags': (35, 'msg', 'MetricTagValue', 'map'), 'volume_mounted_files': (38, 'msg', 'File', 'rep'),
        'update_strategy': (39, 'int', None, ''),
    },
    'EnvironmentVariable': {'name': (1, 'string', None, ''), 'value': (2, 'string', None, '')},
    'ModificationTag': {'epoch': (1, 'string', None, ''), 'index': (2, 'int', None, '')},
    'MetricTagValue': {'static': (1, 'string', None, ''), 'dynamic': (2, 'enum:DynamicValue', None, '')},
    'SecurityGroupRule': {
        'protocol': (1, 'string', None, ''), 'destinations': (2, 'string', None, 'rep'),
        'ports': (3, 'int', None, 'rep unpacked'), 'log': (6, 'bool', None, ''),
    },
    'CheckDefinition': {'checks': (1, 'msg', 'Check', 'rep'), 'log_source': (2, 'string', None, '')},
    'Check': {'tcp_check': (1, 'msg', 'TCPCheck', ''), 'http_check': (2, 'msg', 'HTTPCheck', '')},
    'HTTPCheck': {'port': (1, 'int', None, ''), 'request_timeout_ms': (2, 'int', None, ''), 'path': (3, 'string', None, ''), 'interval_ms': (4, 'int', None, '')},
    'TCPCheck': {'port': (1, 'int', None, ''), 'connect_timeout_ms': (2, 'int', None, ''), 'interval_ms': (3, 'int', None, '')},
    'File': {'path': (1, 'string', None, ''), 'content': (2, 'string', None, '')},
    'Action': {
        'download': (1, 'msg', 'DownloadAction', ''), 'upload': (2, 'msg', 'UploadAction', ''), 'run': (3, 'msg', 'RunAction', ''),
        'timeout': (4, 'msg', 'TimeoutAction', ''), 'emit_progress': (5, 'msg', 'EmitProgressAction', ''),
        'try': (6, 'msg', 'TryAction', ''), 'parallel': (7, 'msg', 'ParallelAction', ''), 'serial': (8, 'msg', 'SerialAction', ''),
        'codependent': (9, 'msg', 'CodependentAction', ''),
    },
    'DownloadAction': {
        'artifact': (1, 'string', None, ''), 'from': (2, 'string', None, ''), 'to': (3, 'string', None, ''),
        'cache_key': (4, 'string', None, ''), 'log_source': (5, 'string', None, ''), 'user': (6, 'string', None, ''),
        'checksum_algorithm': (7, 'string', None, ''), 'checksum_value': (8, 'string', None, ''),
    },
    'UploadAction': {'artifact': (1, 'string', None, ''), 'from': (2, 'string', None, ''), 'to': (3, 'string', None, ''), 'log_source': (4, 'string', None, ''), 'user': (5, 'string', None, '')},
    'RunAction': {
        'path': (1, 'string', None, ''), 'args': (2, 'string', None, 'rep'), 'dir': (3, 'string', None, ''),
        'env': (4, 'msg', 'EnvironmentVariable', 'rep'), 'resource_limits': (5, 'msg', 'ResourceLimits', ''),
        'user': (6, 'string', None, ''), 'log_source': (7, 'string', None, ''), 'suppress_log_output': (8, 'bool', None, ''),
        'volume_mounted_files': (9, 'msg', 'File', 'rep'),
    },
    'ResourceLimits': {'nofile': (1, 'int', None, 'oneof'), 'nproc': (2, 'int', None, 'oneof')},
    'TimeoutAction': {'action': (1, 'msg', 'Action', ''), 'log_source': (3, 'string', None, ''), 'timeout_ms': (4, 'int', None, '')},
    'EmitProgressAction': {'action': (1, 'msg', 'Action', ''), 'start_message': (2, 'string', None, ''), 'success_message': (3, 'string', None, ''), 'failure_message_prefix': (4, 'string', None, ''), 'log_source': (5, 'string', None, '')},
    'TryAction': {'action': (1, 'msg', 'Action', ''), 'log_source': (2, 'string', None, '')},
    'ParallelAction': {'actions': (1, 'msg', 'Action', 'rep'), 'log_source': (2, 'string', None, '')},
    'SerialAction': {'actions': (1, 'msg', 'Action', 'rep'), 'log_source': (2, 'string', None, '')},
    'CodependentAction': {'actions': (1, 'msg', 'Action', 'rep'), 'log_source': (2, 'string', None, '')},
}
ENUMS = {'DynamicValue': {'DynamicValueInvalid': 0, 'INDEX': 1, 'INSTANCE_GUID': 2}}


def varint(n):
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def tag(number, wire):
    return varint((number << 3) | wire)


def length_delimited(number, payload):
    return tag(number, 2) + varint(len(payload)) + payload


def scalar(number, kind, value, always):
    if kind == 'string':
        data = value.encode('utf-8')
        return length_delimited(number, data) if data or always else b''
    if kind == 'bool':
        return tag(number, 0) + varint(1 if value else 0) if value or always else b''
    if kind.startswith('enum:'):
        value = ENUMS[kind[5:]][value]
    return tag(number, 0) + varint(int(value)) if value or always else b''


def message(name, obj, raw):
    fields = S[name]
    parts = []
    for key, value in obj.items():
        if key not in fields:
            raise SystemExit(f'{name}.{key}: not in this encoder')
        if value is None:
            continue
        number, kind, element, flags = fields[key]
        flags = flags.split()
        if 'map' in flags:
            out = b''
            for k, v in value.items():
                entry = length_delimited(1, k.encode('utf-8')) + length_delimited(2, message(element, v, raw.get(key, {}).get(k)))
                out += length_delimited(number, entry)
        elif 'rep' in flags:
            out = b''
            for i, v in enumerate(value):
                out += length_delimited(number, message(element, v, raw[key][i])) if kind == 'msg' else scalar(number, kind, v, True)
        elif kind == 'msg':
            out = length_delimited(number, message(element, value, raw[key]))
        elif kind == 'routes':
            out = b''
            for k in value:
                entry = length_delimited(1, k.encode('utf-8')) + length_delimited(2, raw[key][k])
                out += length_delimited(1, entry)
            out = length_delimited(number, out)
        else:
            out = scalar(number, kind, value, 'oneof' in flags)
        parts.append((number, out))
    parts.sort(key=lambda p: p[0])
    return b''.join(p[1] for p in parts)


def raw_texts(text):
    """The same structure as json.loads, but each value also carries its exact source text (for RawMessage)."""
    decoder = json.JSONDecoder()

    def parse(s, i):
        while s[i] in ' \t\r\n':
            i += 1
        if s[i] == '{':
            out, i = {}, i + 1
            while True:
                while s[i] in ' \t\r\n,':
                    i += 1
                if s[i] == '}':
                    return out, i + 1
                key, i = decoder.raw_decode(s, i)
                while s[i] in ' \t\r\n:':
                    i += 1
                start = i
                value, i = parse(s, i)
                out[key] = value if isinstance(value, (dict, list)) and key != 'routes' else s[start:i].encode('utf-8')
                if key == 'routes':
                    out[key] = {k: v for k, v in route_texts(s[start:i])}
        if s[i] == '[':
            out, i = [], i + 1
            while True:
                while s[i] in ' \t\r\n,':
                    i += 1
                if s[i] == ']':
                    return out, i + 1
                start = i
                value, i = parse(s, i)
                out.append(value if isinstance(value, (dict, list)) else s[start:i].encode('utf-8'))
        value, end = decoder.raw_decode(s, i)
        return value, end

    def route_texts(s):
        i = s.index('{') + 1
        while True:
            while s[i] in ' \t\r\n,':
                i += 1
            if s[i] == '}':
                return
            key, i = decoder.raw_decode(s, i)
            while s[i] in ' \t\r\n:':
                i += 1
            start = i
            _, i = parse(s, i)
            yield key, s[start:i].encode('utf-8')

    return parse(text, 0)[0]


if __name__ == '__main__':
    text = open(sys.argv[1], encoding='utf-8').read()
    body = message('DesireLRPRequest', json.loads(text), raw_texts(text))
    for i in range(0, len(body), 32):
        print(body[i:i + 32].hex())
